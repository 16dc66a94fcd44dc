import { describe, expect, it } from 'vitest';

import { DetailsPane, argoRows, detailRows, formatValue, nodeTitle } from '../widgets/dag/details';

describe('formatValue', () => {
  it('writes one line per mapping entry and list item', () => {
    expect(formatValue({ rows: 10, url: 's3://b/k' })).toEqual(['rows: 10', 'url: s3://b/k']);
    expect(formatValue([{ name: 'di', value: '{{tasks.a.outputs.parameters.di}}' }, 'x'])).toEqual([
      'di: {{tasks.a.outputs.parameters.di}}',
      'x'
    ]);
    expect(formatValue({ nested: { a: 1 } })).toEqual(['nested: {"a":1}']);
    expect(formatValue('')).toEqual([]);
    expect(formatValue(null)).toEqual([]);
  });
});

describe('detailRows', () => {
  it('lists the known fields in a fixed order and skips empty ones', () => {
    const rows = detailRows(
      {
        outputs: ['dataset'],
        action: 'job',
        function: 'train',
        argo: { function_key: 'store://p/function/python+job/train:1' }
      },
      'running'
    );
    expect(rows.map(r => r.label)).toEqual(['State', 'Function', 'Action', 'Outputs']);
  });
});

describe('argoRows and nodeTitle', () => {
  it('fold the Argo internals and title a node with the name the user wrote', () => {
    const details = {
      label: 'make',
      function: 'make-numbers',
      argo: { task: 'dag-op-make-1a2b3c4d', template: 'dag-op-make-1a2b3c4d', image: 'python:3.11' }
    };
    expect(argoRows(details).map(r => r.label)).toEqual(['Task', 'Template', 'Image']);
    expect(detailRows(details, undefined).map(r => r.label)).toEqual(['Function']);
    expect(nodeTitle('dag-op-make-1a2b3c4d', details)).toBe('make');
    expect(nodeTitle('plain', {})).toBe('plain');
  });
});

describe('DetailsPane', () => {
  it('shows data as text, never as markup', () => {
    const pane = new DetailsPane(() => undefined);
    pane.show('<img src=x onerror=alert(1)>', { function: '<b>train</b>', action: 'job' }, undefined);
    expect(pane.node.hidden).toBe(false);
    expect(pane.node.querySelector('img, b')).toBeNull();
    expect(pane.node.querySelector('h3')!.textContent).toBe('<img src=x onerror=alert(1)>');
    expect(Array.from(pane.node.querySelectorAll('dd')).map(d => d.textContent)).toEqual(['<b>train</b>', 'job']);
  });

  it('hides', () => {
    const pane = new DetailsPane(() => undefined);
    pane.show('a', {}, undefined);
    pane.hide();
    expect(pane.node.hidden).toBe(true);
  });
});
