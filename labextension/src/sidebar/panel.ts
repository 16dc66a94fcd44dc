import { Widget } from '@lumino/widgets';

import { pipelinesIcon } from './icon';

/** The title of the sidebar panel, shown in its header and as the tab caption. */
export const PANEL_TITLE = 'DigitalHub pipelines';

/**
 * The left-sidebar panel. For now it shows a header and a status line; the body is the
 * place where the workflow and run lists go once the server routes under `/dhhera/` exist.
 */
export class PipelinesPanel extends Widget {
  constructor() {
    super();
    this.id = 'dhhera-pipelines';
    this.addClass('dhhera-PipelinesPanel');
    this.title.icon = pipelinesIcon;
    this.title.caption = PANEL_TITLE;

    const header = document.createElement('header');
    header.className = 'dhhera-PipelinesPanel-header';
    header.textContent = PANEL_TITLE;

    this._body = document.createElement('div');
    this._body.className = 'dhhera-PipelinesPanel-body';

    this._status = document.createElement('p');
    this._status.className = 'dhhera-PipelinesPanel-status';
    this._status.setAttribute('role', 'status');
    this._body.appendChild(this._status);

    this.node.append(header, this._body);
    this.setStatus('Connecting…');
  }

  /** The element that holds the panel content below the header. */
  get body(): HTMLElement {
    return this._body;
  }

  /** Show a one-line status message (connection state, errors). */
  setStatus(message: string): void {
    this._status.textContent = message;
  }

  private readonly _body: HTMLElement;
  private readonly _status: HTMLElement;
}
