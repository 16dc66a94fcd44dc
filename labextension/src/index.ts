import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';

import { labUi } from './sidebar/labUi';
import { PipelinesPanel } from './sidebar/panel';
import { service } from './sidebar/service';

/**
 * The left-sidebar panel listing DigitalHub pipelines (workflows and their runs).
 */
const sidebarPlugin: JupyterFrontEndPlugin<void> = {
  id: 'dhhera-jupyter:sidebar',
  description: 'A left-sidebar panel with the DigitalHub pipelines of the current backend.',
  autoStart: true,
  optional: [ILayoutRestorer],
  activate: (app: JupyterFrontEnd, restorer: ILayoutRestorer | null) => {
    const panel = new PipelinesPanel({ service, ui: labUi, commands: app.commands });
    app.shell.add(panel, 'left', { rank: 850 });
    restorer?.add(panel, panel.id);
  }
};

export default [sidebarPlugin];
