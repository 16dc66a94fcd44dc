import { describe, expect, it } from 'vitest';

import { isSafeAttribute, sanitizeSvg } from '../widgets/dag/sanitize';
import { graphvizSvg } from './svgFixture';

describe('sanitizeSvg', () => {
  it('keeps the Graphviz structure of a clean SVG', () => {
    const svg = sanitizeSvg(graphvizSvg(['a', 'b'], [['a', 'b']]));
    expect(svg).not.toBeNull();
    expect(svg!.ownerDocument).toBe(document);
    expect(svg!.querySelectorAll('g.node')).toHaveLength(2);
    expect(svg!.querySelectorAll('g.edge')).toHaveLength(1);
    expect(svg!.getAttribute('viewBox')).toBe('0.00 0.00 62.00 188.00');
  });

  it('removes scripts, styles and foreign objects', () => {
    const markup = `<svg xmlns="http://www.w3.org/2000/svg">
      <script>alert(1)</script>
      <style>body { display: none }</style>
      <g class="node"><title>a</title><foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject></g>
      <SCRIPT>alert(2)</SCRIPT>
    </svg>`;
    const svg = sanitizeSvg(markup)!;
    expect(svg.querySelector('script, style, foreignObject')).toBeNull();
    expect(svg.innerHTML).not.toMatch(/alert|display: none/);
    expect(svg.querySelector('g.node title')!.textContent).toBe('a');
  });

  it('removes event handler attributes and script links, keeps in-document links', () => {
    const markup = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)">
      <g class="node" onclick="alert(2)" onMouseOver="alert(3)"><title>a</title>
        <a xlink:href="javascript:alert(4)"><text>x</text></a>
        <a href="https://example.com/track"><text>y</text></a>
        <a href="#node-a"><text>z</text></a>
      </g>
    </svg>`;
    const svg = sanitizeSvg(markup)!;
    expect(svg.hasAttribute('onload')).toBe(false);
    const group = svg.querySelector('g.node')!;
    expect(Array.from(group.attributes).map(a => a.name)).toEqual(['class']);
    const links = Array.from(svg.querySelectorAll('a'));
    expect(links.map(a => a.getAttribute('href') ?? a.getAttribute('xlink:href'))).toEqual([null, null, '#node-a']);
  });

  it('keeps a node named like a tag as text', () => {
    const svg = sanitizeSvg(graphvizSvg(['<script>alert(1)</script>']))!;
    expect(svg.querySelector('script')).toBeNull();
    expect(svg.querySelector('g.node title')!.textContent).toBe('<script>alert(1)</script>');
  });

  it('returns null for markup that is not an SVG document', () => {
    expect(sanitizeSvg('<svg xmlns="http://www.w3.org/2000/svg"><g></svg>')).toBeNull();
    expect(sanitizeSvg('<html xmlns="http://www.w3.org/1999/xhtml"></html>')).toBeNull();
    expect(sanitizeSvg('not markup')).toBeNull();
  });
});

describe('isSafeAttribute', () => {
  it.each([
    ['onclick', 'x', false],
    ['ONLOAD', 'x', false],
    ['href', ' java\nscript:alert(1)', false],
    ['href', '#node-a', true],
    ['xlink:href', 'data:image/png;base64,AAAA', false],
    ['style', 'fill: url(javascript:alert(1))', false],
    ['fill', 'black', true],
    ['transform', 'scale(1 1) rotate(0) translate(4 184)', true]
  ])('%s="%s" → %s', (name, value, safe) => {
    expect(isSafeAttribute(name, value)).toBe(safe);
  });
});
