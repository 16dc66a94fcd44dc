import { describe, expect, it, vi } from 'vitest';

import { OutputPreviewList, previewableOutputs } from '../sidebar/outputPreview';
import type { CommandsLike } from '../sidebar/notebook';
import { type PreviewData, renderPreview, sizeText } from '../widgets/preview/render';

const XSS = '<img src=x onerror="window.__xss=1">';

function tablePreview(): PreviewData {
  return {
    key: 'store://p/dataitem/table/measures:1',
    type: 'dataitem',
    kind: 'table',
    name: 'measures',
    load_code: 'import digitalhub as dh',
    columns: [
      { name: 'city', type: 'string' },
      { name: XSS, type: 'string' }
    ],
    rows: [
      ['Trento', XSS],
      ['Rovereto', 'ok']
    ],
    total_rows: 1000000,
    rows_text: 'first 2 of 1,000,000 rows',
    files: [],
    more_files: 0,
    metrics: [],
    notes: [],
    source: 'entity',
    bytes_read: 0
  };
}

const flush = () => new Promise(resolve => setTimeout(resolve, 0));

describe('renderPreview', () => {
  it('shows column names, types and cells as text, never as markup', () => {
    const body = renderPreview(tablePreview());

    expect(body.querySelector('img')).toBeNull();
    expect([...body.querySelectorAll('th .dhhera-Preview-colName')].map(n => n.textContent)).toEqual(['city', XSS]);
    expect(body.querySelectorAll('tbody tr')[0].children[1].textContent).toBe(XSS);
    expect(body.textContent).toContain('first 2 of 1,000,000 rows, 2 columns');
  });

  it('lists files with sizes and says how many more there are', () => {
    const data = { ...tablePreview(), columns: [], rows: [], files: [{ path: 'a.txt', size: 1500 }], more_files: 4 };

    const body = renderPreview(data);

    expect(body.textContent).toContain('Files (5)');
    expect(body.textContent).toContain('a.txt1.5 KB');
    expect(body.textContent).toContain('… and 4 more');
    expect(sizeText(null)).toBe('?');
  });
});

describe('OutputPreviewList', () => {
  it('lists only dataitem, artifact and model outputs', () => {
    expect(
      previewableOutputs({ run_id: 'r1', n: '3', t: 'store://p/dataitem/table/t:1', m: 'store://p/model/model/m:2' })
    ).toEqual([
      { name: 't', key: 'store://p/dataitem/table/t:1' },
      { name: 'm', key: 'store://p/model/model/m:2' }
    ]);
  });

  it('reads a preview only when Preview is clicked, and shows an error sentence when it fails', async () => {
    const preview = vi.fn(async (key: string) => {
      if (key.includes('gone')) {
        throw new Error('The output gone no longer exists on the backend.');
      }
      return tablePreview();
    });
    const list = new OutputPreviewList(null, { preview, loadCode: async () => 'code' });
    list.update({ t: 'store://p/dataitem/table/measures:1', g: 'store://p/dataitem/table/gone:1' });

    expect(preview).not.toHaveBeenCalled();
    const [first, second] = list.node.querySelectorAll<HTMLButtonElement>('.dhhera-Preview-show');
    first.click();
    second.click();
    await flush();

    expect(preview).toHaveBeenCalledTimes(2);
    expect(list.node.querySelector('table')?.textContent).toContain('Rovereto');
    expect(list.node.querySelector('[role=alert]')?.textContent).toContain('no longer exists');
    expect(list.node.querySelector('img')).toBeNull();
  });

  it('inserts the load code through the commands, else shows it to copy', async () => {
    const executed: unknown[] = [];
    let notebookOpen = true;
    const commands: CommandsLike = {
      hasCommand: () => true,
      isEnabled: () => notebookOpen,
      execute: async (id, args) => executed.push([id, args])
    };
    const list = new OutputPreviewList(commands, {
      preview: async () => tablePreview(),
      loadCode: async key => `load(${key})`
    });
    list.update({ t: 'store://p/dataitem/table/t:1' });
    document.body.append(list.node);

    list.node.querySelector<HTMLButtonElement>('.dhhera-Preview-insert')?.click();
    await flush();
    notebookOpen = false;
    list.node.querySelector<HTMLButtonElement>('.dhhera-Preview-insert')?.click();
    await flush();
    list.node.remove();

    expect(executed).toEqual([
      ['notebook:insert-cell-below', undefined],
      ['notebook:replace-selection', { text: 'load(store://p/dataitem/table/t:1)' }]
    ]);
    expect(list.node.querySelector('.dhhera-Preview-code')?.textContent).toBe('load(store://p/dataitem/table/t:1)');
  });
});
