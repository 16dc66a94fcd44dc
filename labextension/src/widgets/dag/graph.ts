const NODE_ID_PREFIX = 'node-';

/**
 * The node id of a Graphviz node group: the text of its `<title>` (Graphviz writes the node
 * name there), else its `id` attribute without the `node-` prefix.
 */
export function nodeIdOf(group: Element): string | null {
  const title = Array.from(group.children).find(child => child.localName === 'title');
  const text = title?.textContent?.trim();
  if (text) {
    return text;
  }
  const id = group.getAttribute('id');
  if (id && id.startsWith(NODE_ID_PREFIX) && id.length > NODE_ID_PREFIX.length) {
    return id.slice(NODE_ID_PREFIX.length);
  }
  return null;
}

/** Map node id → node group (`<g class="node">`) for every node of a Graphviz SVG. */
export function findNodeGroups(svg: Element): Map<string, SVGGElement> {
  const groups = new Map<string, SVGGElement>();
  for (const group of Array.from(svg.querySelectorAll<SVGGElement>('g.node'))) {
    const nodeId = nodeIdOf(group);
    if (nodeId !== null && !groups.has(nodeId)) {
      groups.set(nodeId, group);
    }
  }
  return groups;
}

/** The node group an event target belongs to, if any, within `root`. */
export function nodeGroupOf(target: EventTarget | null, root: Element): SVGGElement | null {
  if (!(target instanceof Element)) {
    return null;
  }
  const group = target.closest('g.node');
  return group && root.contains(group) ? (group as SVGGElement) : null;
}

/** The drawing size of an SVG in user units: its viewBox, else its width/height attributes. */
export function svgSize(svg: Element): { width: number; height: number } {
  const viewBox = (svg.getAttribute('viewBox') ?? '')
    .trim()
    .split(/[\s,]+/)
    .map(Number);
  if (viewBox.length === 4 && viewBox.every(Number.isFinite) && viewBox[2] > 0 && viewBox[3] > 0) {
    return { width: viewBox[2], height: viewBox[3] };
  }
  const width = parseFloat(svg.getAttribute('width') ?? '');
  const height = parseFloat(svg.getAttribute('height') ?? '');
  return {
    width: Number.isFinite(width) && width > 0 ? width : 100,
    height: Number.isFinite(height) && height > 0 ? height : 100
  };
}
