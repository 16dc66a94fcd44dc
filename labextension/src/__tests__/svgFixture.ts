/** A Graphviz-shaped SVG (as `dot -Tsvg` writes it) with the given node ids and edges. */
export function graphvizSvg(nodeIds: string[], edges: [string, string][] = []): string {
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const nodes = nodeIds
    .map(
      (id, index) => `<g id="node-${escape(id)}" class="node">
<title>${escape(id)}</title>
<polygon fill="none" stroke="black" points="54,-${index * 60 + 36} 0,-${index * 60 + 36} 0,-${index * 60} 54,-${index * 60} 54,-${index * 60 + 36}"/>
<text text-anchor="middle" x="27" y="-${index * 60 + 14}" font-family="Times,serif" font-size="14.00">${escape(id)}</text>
</g>`
    )
    .join('\n');
  const edgeGroups = edges
    .map(
      ([src, dst]) => `<g id="edge-${escape(src)}--${escape(dst)}" class="edge">
<title>${escape(src)}&#45;&gt;${escape(dst)}</title>
<path fill="none" stroke="black" d="M27,-72C27,-64 27,-55 27,-46"/>
<polygon fill="black" stroke="black" points="30.5,-46 27,-36 23.5,-46 30.5,-46"/>
</g>`
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg width="62pt" height="188pt" viewBox="0.00 0.00 62.00 188.00" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">
<g id="graph0" class="graph" transform="scale(1 1) rotate(0) translate(4 184)">
<title>pipeline</title>
<polygon fill="white" stroke="none" points="-4,4 -4,-184 58,-184 58,4 -4,4"/>
${nodes}
${edgeGroups}
</g>
</svg>`;
}
