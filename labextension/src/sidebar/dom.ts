/** Small DOM helpers of the sidebar. Data only ever goes in through `textContent` and attributes. */

/** Create an element with a class and, optionally, its text. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

/** A `<button type="button">` with a visible label, an accessible name and a click handler. */
export function button(className: string, label: string, title: string, onClick: () => void): HTMLButtonElement {
  const node = el('button', className, label);
  node.type = 'button';
  node.title = title;
  node.setAttribute('aria-label', title);
  node.addEventListener('click', event => {
    event.stopPropagation();
    onClick();
  });
  return node;
}

/** Set text only when it changed (keeps selections and screen-reader output quiet). */
export function setText(node: Node, text: string): void {
  if (node.textContent !== text) {
    node.textContent = text;
  }
}

/** Put `children` in `parent` in this order, moving only the nodes that are out of place (focus stays put). */
export function placeChildren(parent: Element, children: Element[]): void {
  children.forEach((child, index) => {
    if (parent.children[index] !== child) {
      parent.insertBefore(child, parent.children[index] ?? null);
    }
  });
  while (parent.children.length > children.length) {
    parent.lastElementChild?.remove();
  }
}
