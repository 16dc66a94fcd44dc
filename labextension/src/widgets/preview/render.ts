/**
 * A step output's preview as DOM (the JSON of `dhhera_jupyter.platform.previews.Preview`), shared by the notebook
 * run panel's widget and the sidebar. Every value goes in through `textContent`: cells and column names are data.
 */

/** The preview as the server and the kernel send it. */
export interface PreviewData {
  key: string;
  type: string;
  kind: string;
  name: string;
  load_code: string;
  columns: { name: string; type: string }[];
  rows: string[][];
  total_rows: number | null;
  rows_text: string;
  files: { path: string; size: number | null }[];
  more_files: number;
  metrics: { name: string; value: string }[];
  notes: string[];
  source: string;
  bytes_read: number;
}

/** One output of a step: its name and entity key. */
export interface OutputRef {
  name: string;
  key: string;
}

/** `1.5 KB` for a size in bytes (`?` when unknown). */
export function sizeText(size: number | null | undefined): string {
  if (size === null || size === undefined || !Number.isFinite(size)) {
    return '?';
  }
  if (size < 1000) {
    return `${size} B`;
  }
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = size / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** Whether an output value is an entity key that has a preview (a dataitem, artifact or model). */
export function previewable(value: unknown): boolean {
  return typeof value === 'string' && /^store:\/\/[^/]+\/(dataitem|artifact|model)\/[^/]+\/[^/]+$/.test(value);
}

function node<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const item = document.createElement(tag);
  item.className = className;
  if (text !== undefined) {
    item.textContent = text;
  }
  return item;
}

function tableOf(data: PreviewData): HTMLElement {
  const wrap = node('div', 'dhhera-Preview-tableWrap');
  wrap.tabIndex = 0;
  const table = node('table', 'dhhera-Preview-table');
  const head = table.createTHead().insertRow();
  for (const column of data.columns) {
    const th = document.createElement('th');
    th.append(node('span', 'dhhera-Preview-colName', column.name));
    if (column.type) {
      th.append(node('span', 'dhhera-Preview-colType', column.type));
    }
    th.title = column.type ? `${column.name}: ${column.type}` : column.name;
    head.append(th);
  }
  const body = table.createTBody();
  for (const row of data.rows) {
    const tr = body.insertRow();
    for (const cell of row) {
      const td = tr.insertCell();
      td.textContent = cell;
      td.title = cell;
    }
  }
  wrap.append(table);
  return wrap;
}

function listOf(className: string, items: [string, string][]): HTMLElement {
  const list = node('table', `dhhera-Preview-list ${className}`);
  for (const [label, value] of items) {
    const tr = list.insertRow();
    tr.append(node('td', 'dhhera-Preview-listName', label), node('td', 'dhhera-Preview-listValue', value));
  }
  return list;
}

/** The preview's body: table (with "first N of M rows"), files, metrics, notes. */
export function renderPreview(data: PreviewData): HTMLElement {
  const root = node('div', 'dhhera-Preview-body');
  if (data.columns.length > 0) {
    root.append(
      node('div', 'dhhera-Preview-caption', `${data.name}: ${data.rows_text}, ${data.columns.length} columns`)
    );
    root.append(tableOf(data));
  }
  if (data.metrics.length > 0) {
    root.append(node('div', 'dhhera-Preview-caption', 'Metrics'));
    root.append(
      listOf(
        'dhhera-Preview-metrics',
        data.metrics.map(m => [m.name, m.value])
      )
    );
  }
  if (data.files.length > 0) {
    const count = data.files.length + data.more_files;
    root.append(node('div', 'dhhera-Preview-caption', `Files (${count})`));
    root.append(
      listOf(
        'dhhera-Preview-files',
        data.files.map(f => [f.path, sizeText(f.size)])
      )
    );
    if (data.more_files > 0) {
      root.append(node('div', 'dhhera-Preview-note', `… and ${data.more_files} more`));
    }
  }
  for (const note of data.notes) {
    root.append(node('div', 'dhhera-Preview-note', note));
  }
  return root;
}

/** An error in place of a preview (the server's or the kernel's sentence). */
export function renderPreviewError(message: string): HTMLElement {
  const box = node('div', 'dhhera-Preview-error', message);
  box.setAttribute('role', 'alert');
  return box;
}
