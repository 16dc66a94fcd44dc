import type { NodeDetails } from './types';

/** One labelled row of the details pane. */
export interface DetailRow {
  label: string;
  lines: string[];
}

function formatScalar(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  if (value === null || value === undefined) {
    return '';
  }
  if (typeof value === 'object') {
    return JSON.stringify(value);
  }
  return String(value);
}

/** Lines for a value: one per list item or per `name: value` mapping entry. */
export function formatValue(value: unknown): string[] {
  if (value === null || value === undefined || value === '') {
    return [];
  }
  if (Array.isArray(value)) {
    return value.map(item => {
      if (item && typeof item === 'object' && 'name' in item) {
        const { name, value: itemValue, ...rest } = item as Record<string, unknown>;
        const shown = itemValue !== undefined ? itemValue : Object.keys(rest).length > 0 ? rest : undefined;
        return shown === undefined ? formatScalar(name) : `${formatScalar(name)}: ${formatScalar(shown)}`;
      }
      return formatScalar(item);
    });
  }
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).map(([key, item]) => `${key}: ${formatScalar(item)}`);
  }
  return [formatScalar(value)];
}

// Data first: what the step does, what goes in and comes out. How Argo runs it is folded under "Argo".
const LABELS: [keyof NodeDetails, string][] = [
  ['function', 'Function'],
  ['action', 'Action'],
  ['inputs', 'Inputs'],
  ['outputs', 'Outputs'],
  ['when', 'When'],
  ['loop', 'Loop']
];

const ARGO_LABELS: [string, string][] = [
  ['task', 'Task'],
  ['template', 'Template'],
  ['kind', 'Kind'],
  ['image', 'Image'],
  ['function_key', 'Function key'],
  ['depends', 'Depends'],
  ['when', 'When'],
  ['loop', 'Loop']
];

// Details sent without an `argo` section (the sidebar's graph route) list these among the rows.
const UNFOLDED_LABELS: [keyof NodeDetails, string][] = [
  ['function', 'Function'],
  ['function_key', 'Function key'],
  ['action', 'Action'],
  ['template', 'Template'],
  ['image', 'Image'],
  ['inputs', 'Inputs'],
  ['outputs', 'Outputs'],
  ['when', 'When'],
  ['loop', 'Loop']
];

/** The rows shown for a node, in a fixed order, skipping empty fields (Argo internals apart, see `argoRows`). */
export function detailRows(details: NodeDetails | undefined, state: string | undefined): DetailRow[] {
  const rows: DetailRow[] = [];
  if (state) {
    rows.push({ label: 'State', lines: [state] });
  }
  for (const [key, label] of details?.argo ? LABELS : UNFOLDED_LABELS) {
    const lines = formatValue(details?.[key]);
    if (lines.length > 0) {
      rows.push({ label, lines });
    }
  }
  return rows;
}

/** The Argo internals of a node (task name, template, image, expressions), for the folded section. */
export function argoRows(details: NodeDetails | undefined): DetailRow[] {
  const argo = (details?.argo ?? {}) as Record<string, unknown>;
  const rows: DetailRow[] = [];
  for (const [key, label] of ARGO_LABELS) {
    const lines = formatValue(argo[key]);
    if (lines.length > 0) {
      rows.push({ label, lines });
    }
  }
  return rows;
}

/** The title of a node: the name the user gave the step (`make`), else its id. */
export function nodeTitle(nodeId: string, details: NodeDetails | undefined): string {
  return typeof details?.label === 'string' && details.label ? details.label : nodeId;
}

function fillList(list: HTMLElement, rows: DetailRow[]): void {
  list.replaceChildren();
  for (const row of rows) {
    const term = document.createElement('dt');
    term.textContent = row.label;
    list.appendChild(term);
    for (const line of row.lines) {
      const value = document.createElement('dd');
      value.textContent = line;
      list.appendChild(value);
    }
  }
}

/**
 * The details pane of the selected node. Every piece of data is set with `textContent`.
 */
export class DetailsPane {
  readonly node: HTMLElement;

  constructor(onClose: () => void) {
    this.node = document.createElement('aside');
    this.node.className = 'dhhera-DagDetails';
    this.node.hidden = true;
    this.node.setAttribute('aria-live', 'polite');

    const header = document.createElement('div');
    header.className = 'dhhera-DagDetails-header';
    this.heading = document.createElement('h3');
    this.heading.className = 'dhhera-DagDetails-title';
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'dhhera-DagDetails-close';
    close.textContent = '×';
    close.title = 'Close details';
    close.setAttribute('aria-label', 'Close details');
    close.addEventListener('click', onClose);
    header.append(this.heading, close);

    this.list = document.createElement('dl');
    this.list.className = 'dhhera-DagDetails-list';
    this.argo = document.createElement('details');
    this.argo.className = 'dhhera-DagDetails-argo';
    const summary = document.createElement('summary');
    summary.textContent = 'Argo';
    this.argoList = document.createElement('dl');
    this.argoList.className = 'dhhera-DagDetails-list';
    this.argo.append(summary, this.argoList);
    this.node.append(header, this.list, this.argo);
  }

  /** Show the details of `nodeId`. */
  show(nodeId: string, details: NodeDetails | undefined, state: string | undefined): void {
    this.heading.textContent = nodeTitle(nodeId, details);
    const rows = detailRows(details, state);
    fillList(this.list, rows);
    if (rows.length === 0) {
      const empty = document.createElement('dd');
      empty.textContent = 'No details for this step.';
      this.list.appendChild(empty);
    }
    const argo = argoRows(details);
    fillList(this.argoList, argo);
    this.argo.hidden = argo.length === 0;
    this.node.hidden = false;
  }

  hide(): void {
    this.node.hidden = true;
  }

  private readonly heading: HTMLElement;
  private readonly list: HTMLElement;
  private readonly argo: HTMLDetailsElement;
  private readonly argoList: HTMLElement;
}
