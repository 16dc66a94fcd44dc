const SVG_NS = 'http://www.w3.org/2000/svg';

// Elements that can run code, fetch, restyle the page or embed HTML. Compared lower-cased.
const FORBIDDEN_ELEMENTS = new Set([
  'script',
  'style',
  'foreignobject',
  'iframe',
  'object',
  'embed',
  'image',
  'use',
  'animate',
  'animatemotion',
  'animatetransform',
  'set',
  'handler',
  'link',
  'meta',
  'audio',
  'video',
  'canvas'
]);

const LINK_ATTRIBUTES = new Set(['href', 'xlink:href', 'src', 'action', 'formaction']);

/**
 * Whether an attribute may stay on a sanitised SVG element.
 *
 * Event handlers (`on*`) never stay; links stay only when they point inside the document
 * (`#id`); any value mentioning a script URL is dropped.
 */
export function isSafeAttribute(name: string, value: string): boolean {
  const lower = name.toLowerCase();
  if (lower.startsWith('on')) {
    return false;
  }
  const compact = value.replace(/[\s\u0000-\u001f]/g, '').toLowerCase();
  if (compact.includes('javascript:') || compact.includes('vbscript:')) {
    return false;
  }
  if (LINK_ATTRIBUTES.has(lower) || lower.endsWith(':href')) {
    return value.trim().startsWith('#');
  }
  if (lower === 'style' && (compact.includes('url(') || compact.includes('expression('))) {
    return false;
  }
  return true;
}

function cleanElement(element: Element): void {
  for (const child of Array.from(element.children)) {
    if (FORBIDDEN_ELEMENTS.has(child.localName.toLowerCase()) || child.namespaceURI !== SVG_NS) {
      child.remove();
    } else {
      cleanElement(child);
    }
  }
  for (const attribute of Array.from(element.attributes)) {
    if (!isSafeAttribute(attribute.name, attribute.value)) {
      element.removeAttributeNode(attribute);
    }
  }
}

/**
 * Parse SVG markup and return a sanitised `<svg>` element owned by `target`.
 *
 * Scripts, styles, foreign objects, external references and event-handler attributes are
 * removed; text stays text. Returns `null` when the markup is not a well-formed SVG document.
 */
export function sanitizeSvg(markup: string, target: Document = document): SVGSVGElement | null {
  const parsed = new DOMParser().parseFromString(markup, 'image/svg+xml');
  const root = parsed.documentElement;
  if (
    !root ||
    root.localName !== 'svg' ||
    root.namespaceURI !== SVG_NS ||
    parsed.getElementsByTagName('parsererror').length > 0
  ) {
    return null;
  }
  cleanElement(root);
  for (const attribute of Array.from(root.attributes)) {
    if (!isSafeAttribute(attribute.name, attribute.value)) {
      root.removeAttributeNode(attribute);
    }
  }
  return target.importNode(root, true) as unknown as SVGSVGElement;
}
