// DOM repairs after parsing, for content a browser shows but our DOM would hide or leave outside the body.
import { elementsOf } from './cleanup.ts';

const SEGMENT = /^S:\d+$/;

/** A cheap test on the markup before walking the DOM for streamed segments (most pages have none). */
export function mayHaveStreamedSegments(html: string): boolean {
  return /\bid\s*=\s*["']?S:\d/.test(html);
}

/**
 * Streamed server rendering (React 18 and the frameworks on it) sends the page's content late, in
 * `<div hidden id="S:n">` segments that a script moves into place. Without scripts the content stays hidden,
 * and Readability skips hidden elements: the segments are shown where they are instead. Returns their number.
 */
export function revealStreamedSegments(doc: Document): number {
  if (!doc.body) return 0;
  const segments: Element[] = [];
  for (const el of elementsOf(doc.body)) {
    if (el.hasAttribute('hidden') && SEGMENT.test(el.getAttribute('id') ?? '')) segments.push(el);
  }
  for (const el of segments) el.removeAttribute('hidden');
  return segments.length;
}

/**
 * Content after a premature `</html>` ends up beside the root element in linkedom, where nothing reads it; a
 * browser puts it at the end of the body. Returns how many nodes moved.
 */
export function adoptStrayNodes(doc: Document): number {
  const root = doc.documentElement;
  if (!root || !doc.body) return 0;
  const stray: Node[] = [];
  for (let n = root.nextSibling; n; n = n.nextSibling) if (n.nodeType === 1 || n.nodeType === 3) stray.push(n);
  if (!stray.some((n) => n.nodeType === 1)) return 0;
  for (const n of stray) doc.body.appendChild(n);
  return stray.length;
}

/**
 * Markup between `</head>` and `<body>` (an ad slot, a tracking pixel) makes linkedom open an empty body of its own
 * and leave the real `<body>` as a later sibling, where `document.body` never looks; a browser keeps one body
 * holding both. Everything after the first body moves into it. Returns how many nodes moved.
 */
export function mergeBodies(doc: Document): number {
  const root = doc.documentElement;
  const body = doc.body;
  if (!root || !body || body.parentNode !== root) return 0;
  const after: Node[] = [];
  for (let n = body.nextSibling; n; n = n.nextSibling) after.push(n);
  if (!after.some((n) => n.nodeType === 1)) return 0;
  let moved = 0;
  for (const n of after) {
    if (n.nodeType === 1 && (n as Element).tagName === 'BODY') {
      const el = n as Element;
      for (const a of Array.from(el.attributes)) if (!body.hasAttribute(a.name)) body.setAttribute(a.name, a.value);
      while (el.firstChild) { body.appendChild(el.firstChild); moved++; }
      el.remove();
    } else {
      body.appendChild(n);
      moved++;
    }
  }
  return moved;
}
