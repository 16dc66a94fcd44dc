import { describe, expect, it } from 'vitest';

import { findNodeGroups, nodeGroupOf, nodeIdOf, svgSize } from '../widgets/dag/graph';
import { sanitizeSvg } from '../widgets/dag/sanitize';
import { graphvizSvg } from './svgFixture';

describe('findNodeGroups', () => {
  it('finds every node by the text of its title', () => {
    const svg = sanitizeSvg(graphvizSvg(['extract', 'train-model', 'a&b'], [['extract', 'train-model']]))!;
    const groups = findNodeGroups(svg);
    expect(Array.from(groups.keys())).toEqual(['extract', 'train-model', 'a&b']);
    expect(groups.get('train-model')!.getAttribute('id')).toBe('node-train-model');
  });

  it('falls back to the node- id when a node has no title', () => {
    const svg = sanitizeSvg(
      '<svg xmlns="http://www.w3.org/2000/svg"><g class="node" id="node-x"/><g class="node" id="other"/></svg>'
    )!;
    expect(Array.from(findNodeGroups(svg).keys())).toEqual(['x']);
    expect(nodeIdOf(svg.querySelector('#other')!)).toBeNull();
  });
});

describe('nodeGroupOf', () => {
  it('finds the node group of a shape or label inside it', () => {
    const svg = sanitizeSvg(graphvizSvg(['a', 'b']))!;
    const text = svg.querySelectorAll('g.node text')[1];
    expect(nodeIdOf(nodeGroupOf(text, svg)!)).toBe('b');
    expect(nodeGroupOf(svg.querySelector('g.graph > polygon'), svg)).toBeNull();
    expect(nodeGroupOf(null, svg)).toBeNull();
  });
});

describe('svgSize', () => {
  it('reads the viewBox', () => {
    expect(svgSize(sanitizeSvg(graphvizSvg(['a']))!)).toEqual({ width: 62, height: 188 });
  });

  it('falls back to width and height', () => {
    const svg = sanitizeSvg('<svg xmlns="http://www.w3.org/2000/svg" width="120pt" height="40"/>')!;
    expect(svgSize(svg)).toEqual({ width: 120, height: 40 });
  });
});
