// String-level pre-clean: the page furniture that `precleanDom` would remove (navigation, asides, footers,
// share bars…) is cut out of the markup before the DOM is built, so it never costs nodes. Conservative: only
// elements closed by their own end tag, holding no article container and nothing the metadata readers look at
// (headings, times, meta/link/script, itemprop, author links, date-like classes); `precleanDom` still runs on
// the DOM for the rest, with the same size guards (the cut text still counts in their totals).
import { type AlreadyCut, CLUTTER_ROLES, CLUTTER_TAGS, CLUTTER_WORDS, INLINE, KEEP } from './cleanup.ts';

export interface Cut extends AlreadyCut { html: string }

// Attribute text as an unrolled loop (no backtracking alternation); a trailing `/` marks a self-closing tag.
const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)\b([^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*)>/g;
const ATTR = /([^\s"'>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr', 'keygen', 'command', 'basefont', 'frame', 'isindex']);
// Left open by pages (end implied by the next sibling): not tracked as containers.
const IMPLIED = new Set(['p', 'li', 'dt', 'dd', 'tr', 'td', 'th', 'thead', 'tbody', 'tfoot', 'option', 'optgroup', 'rt', 'rp', 'colgroup', 'caption', 'html', 'head', 'body']);
// What readPageMeta and Readability's metadata read: subtrees holding any of it stay for the DOM pass.
const META_TAGS = new Set(['h1', 'time', 'meta', 'link', 'title', 'script', 'article', 'main']);
const META_ATTRS = /itemprop|rel\s*=\s*["']?author|(?:class|id)\s*=\s*(?:"[^"]*|'[^']*|[^\s>"']*)(?:publish|date|time)/i;
// A paragraph ends at any of these (start or end tag).
const PARA_BREAK = new Set(['p', 'div', 'section', 'article', 'main', 'header', 'footer', 'aside', 'nav', 'ul', 'ol', 'li', 'table', 'tr', 'td', 'th', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'figure', 'form', 'dl', 'dt', 'dd', 'pre']);
/** Non-blank characters a `<p>` needs to count as a substantial paragraph (≈ 80 characters with spaces). */
const LONG_PARA = 68;

interface Open { name: string; at: number; text: number; long: number; clutter: boolean; keep: boolean }
interface Candidate { from: number; to: number; text: number; long: number }

interface Attrs { cls: string; role: string | null; itemprop: string }

function attrsOf(raw: string): Attrs {
  let cls: string | null = null, id: string | null = null, role: string | null = null, itemprop: string | null = null;
  ATTR.lastIndex = 0;
  for (let a = ATTR.exec(raw); a; a = ATTR.exec(raw)) {
    const k = a[1]!.toLowerCase();
    const v = a[2] ?? a[3] ?? a[4] ?? '';
    if (k === 'class') cls ??= v;
    else if (k === 'id') id ??= v;
    else if (k === 'role') role ??= v;
    else if (k === 'itemprop') itemprop ??= v;
  }
  return { cls: `${cls ?? ''} ${id ?? ''}`, role, itemprop: itemprop ?? '' };
}

/** Non-blank characters of html[from, to) (what `textContent` without whitespace would count). */
function nonBlank(html: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = html.charCodeAt(i);
    if (c > 32 || (c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12)) n++;
  }
  return n;
}

/** Cuts clutter subtrees out of `html` (already prepared: scripts other than JSON-LD and comments gone). */
export function cutClutter(html: string): Cut {
  const stack: Open[] = [];
  const candidates: Candidate[] = [];
  let text = 0; // non-blank text characters so far
  let long = 0; // characters in substantial paragraphs so far
  let paraAt = -1; // `text` when the open paragraph started, or -1
  let prevEnd = 0;
  const endPara = () => {
    if (paraAt >= 0 && text - paraAt >= LONG_PARA) long += text - paraAt;
    paraAt = -1;
  };
  /** This element and every open ancestor must stay. */
  const keepOpen = () => {
    for (let i = stack.length - 1; i >= 0 && !stack[i]!.keep; i--) stack[i]!.keep = true;
  };
  TAG.lastIndex = 0;
  for (let m = TAG.exec(html); m; m = TAG.exec(html)) {
    if (m.index > prevEnd) text += nonBlank(html, prevEnd, m.index);
    prevEnd = m.index + m[0].length;
    const end = m[1] === '/';
    const name = m[2]!.toLowerCase();
    if (PARA_BREAK.has(name)) endPara();
    if (!end && name === 'p') paraAt = text;
    if (end) {
      let i = stack.length - 1;
      while (i >= 0 && stack[i]!.name !== name) i--;
      if (i < 0) continue;
      const el = stack[i]!;
      // Elements above i were closed implicitly: they are never cut (their real extent is unclear).
      if (i === stack.length - 1 && el.clutter && !el.keep) {
        endPara();
        candidates.push({ from: el.at, to: prevEnd, text: text - el.text, long: long - el.long });
      }
      if (el.keep && i > 0) stack[i - 1]!.keep = true;
      stack.length = i;
      continue;
    }
    const raw = m[3] ?? '';
    const selfClosing = raw.endsWith('/');
    const attrs = raw.length > 1 ? attrsOf(raw) : null;
    const cls = attrs ? attrs.cls : '';
    const container = name === 'article' || name === 'main' || (!!attrs && (attrs.itemprop.toLowerCase() === 'articlebody' || KEEP.test(cls)));
    const meta = META_TAGS.has(name) || (!!attrs && META_ATTRS.test(raw));
    if (name === 'script' && !selfClosing) {
      // Raw text: nothing inside is a tag.
      const close = html.indexOf('</script', TAG.lastIndex);
      if (close > 0) TAG.lastIndex = prevEnd = close;
    }
    if (VOID.has(name) || IMPLIED.has(name) || selfClosing) {
      if (container || meta) keepOpen();
      continue;
    }
    let clutter = false;
    if (!container) {
      const role = attrs?.role;
      if (CLUTTER_TAGS.includes(name) || (role && CLUTTER_ROLES.test(role))) clutter = true;
      else if (cls.trim() && !INLINE.has(name.toUpperCase())) {
        const words = cls.toLowerCase().split(/[\s_-]+/).filter(Boolean);
        clutter = !words.includes('embed') && !words.includes('embedded') && words.some((w) => CLUTTER_WORDS.has(w));
      }
    }
    stack.push({ name, at: m.index, text, long, clutter, keep: false });
    if (container || meta) keepOpen();
  }
  if (html.length > prevEnd) text += nonBlank(html, prevEnd, html.length);
  endPara();
  // Outermost first, with precleanDom's size guards: clutter is small next to the article.
  candidates.sort((a, b) => a.from - b.from);
  const parts: string[] = [];
  let last = 0, cutText = 0, cutLong = 0;
  for (const c of candidates) {
    if (c.from < last) continue;
    if (c.text > text * 0.25 || (long > 0 && c.long > long * 0.3)) continue;
    parts.push(html.slice(last, c.from));
    last = c.to;
    cutText += c.text;
    cutLong += c.long;
  }
  if (!parts.length) return { html, textChars: 0, longChars: 0 };
  parts.push(html.slice(last));
  return { html: parts.join(''), textChars: cutText, longChars: cutLong };
}
