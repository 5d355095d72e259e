// Streamed server rendering (React 18 and the frameworks on it) sends the page's content late, in
// `<div hidden id="S:n">` segments that a script moves into place. Without scripts the content stays hidden,
// and Readability skips hidden elements: the segments are shown where they are instead.
import { elementsOf } from './cleanup.ts';

const SEGMENT = /^S:\d+$/;

/** Un-hides streamed segments; returns how many there were. */
export function revealStreamedSegments(doc: Document): number {
  if (!doc.body) return 0;
  const segments: Element[] = [];
  for (const el of elementsOf(doc.body)) {
    if (el.hasAttribute('hidden') && SEGMENT.test(el.getAttribute('id') ?? '')) segments.push(el);
  }
  for (const el of segments) el.removeAttribute('hidden');
  return segments.length;
}
