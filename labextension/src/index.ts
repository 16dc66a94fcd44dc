import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { MainAreaWidget } from '@jupyterlab/apputils';
import { IStateDB } from '@jupyterlab/statedb';

import { listenForCells } from './cellInsertion';
import { DagPanel } from './sidebar/dagPanel';
import { pipelinesIcon } from './sidebar/icon';
import { labUi } from './sidebar/labUi';
import type { LocalModel } from './sidebar/localModel';
import { PipelinesPanel } from './sidebar/panel';
import { pageMemory, stateDbMemory } from './sidebar/projectMemory';
import { service } from './sidebar/service';
import type { DagModel } from './widgets/dag/types';

/**
 * The left-sidebar panel listing DigitalHub pipelines (workflows and their runs).
 */
const sidebarPlugin: JupyterFrontEndPlugin<void> = {
  id: 'dhhera-jupyter:sidebar',
  description: 'A left-sidebar panel with the DigitalHub pipelines of the current backend.',
  autoStart: true,
  optional: [ILayoutRestorer, IStateDB],
  activate: (app: JupyterFrontEnd, restorer: ILayoutRestorer | null, state: IStateDB | null) => {
    let dagWidget: MainAreaWidget<DagPanel> | null = null;
    const openDag = (model: LocalModel<DagModel>, title: string): void => {
      if (!dagWidget || dagWidget.isDisposed) {
        dagWidget = new MainAreaWidget({ content: new DagPanel(model) });
        dagWidget.id = 'dhhera-dag-main';
        dagWidget.title.icon = pipelinesIcon;
        dagWidget.title.closable = true;
        app.shell.add(dagWidget, 'main');
      }
      dagWidget.title.label = title;
      app.shell.activateById(dagWidget.id);
    };
    const panel = new PipelinesPanel({
      service,
      ui: labUi,
      commands: app.commands,
      memory: state ? stateDbMemory(state) : pageMemory(),
      openDag
    });
    app.shell.add(panel, 'left', { rank: 850 });
    listenForCells(document.body, () => app.shell.widgets('main')); // cells a kernel's widget offers (debug, load code)
    restorer?.add(panel, panel.id);
  }
};

export default [sidebarPlugin];
