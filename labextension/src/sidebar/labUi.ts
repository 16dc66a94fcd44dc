import { Clipboard, Dialog, showDialog } from '@jupyterlab/apputils';

import { ParametersForm } from './parametersForm';
import type { ParameterSpec } from './types';

/** The dialogs and clipboard the panel uses (JupyterLab's; tests pass their own). */
export interface SidebarUi {
  /** Ask for run parameters; null when cancelled. */
  askParameters(workflow: string, parameters: Record<string, ParameterSpec>): Promise<Record<string, string> | null>;
  /** Put text on the system clipboard. */
  copy(text: string): void;
}

/** JupyterLab's modal dialog and clipboard helper. */
export const labUi: SidebarUi = {
  async askParameters(workflow, parameters) {
    const body = new ParametersForm(workflow, parameters);
    const result = await showDialog({
      title: `Run ${workflow}`,
      body,
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Run' })],
      focusNodeSelector: 'input, select'
    });
    return result.button.accept ? result.value : null;
  },
  copy(text) {
    Clipboard.copyToSystem(text);
  }
};
