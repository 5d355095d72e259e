// String-level preparation before DOM parsing: pull out JSON-LD, drop what never holds article text
// (scripts, styles, comments), and flatten absurdly deep nesting so later tree walks stay bounded.

/** Deeper element nesting than this is flattened (real pages stay far below 100). */
export const MAX_DEPTH = 400;

export interface Prepared {
  html: string;
  /** Raw text of every `<script type="application/ld+json">`. */
  jsonLd: string[];
  /** Number of start tags (≈ elements in the DOM). */
  elements: number;
}

// Elements whose end tag is implied by a following sibling: they are not counted, since pages leave them open.
const IMPLIED = new Set(['p', 'li', 'dt', 'dd', 'tr', 'td', 'th', 'thead', 'tbody', 'tfoot', 'option', 'optgroup', 'rt', 'rp', 'colgroup', 'caption', 'html', 'head', 'body']);
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr', 'keygen', 'command', 'basefont', 'frame', 'isindex']);

// Raw-text elements end at the first matching end tag, exactly as the HTML tokenizer does.
const SCRIPT = /<script\b([^>]*)>([\s\S]*?)(?:<\/script\s*>|$)/gi;
const DROP = /<(style|noscript|template|textarea|iframe|svg|math)\b[^>]*>[\s\S]*?(?:<\/\1\s*>|$)|<!--[\s\S]*?(?:-->|$)/gi;

export function prepareHtml(input: string): Prepared {
  const jsonLd: string[] = [];
  let html = input.replace(SCRIPT, (_m, attrs: string, body: string) => {
    if (/type\s*=\s*["']?application\/ld\+json/i.test(attrs)) {
      jsonLd.push(body);
      // Keep JSON-LD in the page (Readability reads it for its metadata); it holds no visible text.
      return `<script type="application/ld+json">${body.replace(/<\/script/gi, '')}</script>`;
    }
    return '';
  });
  html = html.replace(DROP, '').replace(START_WITH_ATTRS, slimTag);
  const scanned = scan(html, MAX_DEPTH, true);
  return { html: scanned.out ?? html, jsonLd, elements: scanned.elements };
}

/** A link to the author's page on the site ("/author/jane-doe/", "/blog/authors/jane-doe"); group 1 is the slug. */
export const AUTHOR_PAGE = /\/(?:authors?|writers?|contributors?|journalists?|reporters?|people|staff)\/([^/?#"']+)\/?(?:[?#"']|$)/i;

// Attributes that matter for extraction; the rest (style, data-*, srcset, event handlers…) only cost DOM nodes.
const KEEP_ATTRS = new Set([
  'class', 'id', 'role', 'itemprop', 'itemtype', 'itemscope', 'href', 'src', 'lang', 'xml:lang', 'content', 'name', 'property',
  'rel', 'datetime', 'type', 'pubdate', 'http-equiv', 'charset', 'hidden', 'aria-hidden', 'aria-modal', 'dir', 'colspan', 'rowspan',
]);
// Kept scripts (JSON-LD) are passed over whole: their JSON may hold markup that must stay as written.
const START_WITH_ATTRS = /(<script\b[^>]*>[\s\S]*?<\/script>)|<([a-zA-Z][a-zA-Z0-9:-]*)(\s[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*)>/g;
const ATTR = /([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?/g;

function slimTag(whole: string, script: string | undefined, name: string, attrs: string): string {
  if (script) return whole;
  // Of all <link>s (stylesheets, preloads, icons, alternates…) only the canonical URL is ever read.
  if (name.length === 4 && name.toLowerCase() === 'link' && !/\bcanonical\b/i.test(attrs)) return '';
  let out = `<${name}`;
  let kept = false;
  ATTR.lastIndex = 0;
  for (let m = ATTR.exec(attrs); m; m = ATTR.exec(attrs)) {
    const a = m[1]!.toLowerCase();
    if (a === 'href') {
      // Only in-page and script links matter (Readability weighs `#` links less and unwraps `javascript:` ones);
      // the canonical URL is a <link>, whose attributes stay.
      const v = (m[2] ?? '').replace(/^["']/, '');
      // Links to an author's page name the author.
      if (name.toLowerCase() === 'link' || v.startsWith('#') || /^javascript:/i.test(v) || AUTHOR_PAGE.test(v)) { out += ` ${m[0]}`; kept = true; }
    } else if (KEEP_ATTRS.has(a)) {
      out += ` ${m[0]}`;
      kept = true;
    } else if (a === 'style' && m[2] && /display\s*:\s*none|visibility\s*:\s*hidden/i.test(m[2])) {
      // Readability skips invisible elements: keep just that fact.
      out += ' style="display:none"';
      kept = true;
    }
  }
  if (!kept && attrs.length < 2) return whole;
  return `${out}${/\/\s*$/.test(attrs) ? ' /' : ''}>`;
}

// Attributes as an unrolled loop (no backtracking alternation); group 3 ends with `/` on a self-closing tag.
const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)\b([^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*)>/g;

/** Largest element nesting depth, by a linear scan of the tags (end tags close the nearest match). */
export function nestingDepth(html: string): number {
  return scan(html, Number.MAX_SAFE_INTEGER).max;
}

/**
 * Drops the start and end tags of elements nested deeper than `limit`, keeping their content, so the
 * DOM is never deeper than about `limit`. Returns the input unchanged when it is shallow enough.
 */
export function flattenDeepNesting(html: string, limit: number): string {
  return scan(html, limit).out ?? html;
}

// Whitespace next to these tags is not rendered text: dropping it saves a text node per gap.
const BLOCKISH = new Set([
  'html', 'head', 'body', 'meta', 'link', 'title', 'base', 'script', 'div', 'p', 'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'section', 'article',
  'main', 'header', 'footer', 'nav', 'aside', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hgroup', 'table', 'thead', 'tbody', 'tfoot', 'tr',
  'caption', 'colgroup', 'col', 'figure', 'figcaption', 'blockquote', 'form', 'fieldset', 'legend', 'details', 'summary', 'hr', 'address',
  'center', 'option', 'optgroup', 'select', 'menu', 'dialog', 'picture', 'source',
]);
// Readability's byline test (class, id, rel=author, itemprop=author), loosely: any attribute text.
const BYLINE = /byline|author|dateline|writtenby|p-author/i;
const BLANK = /^[ \t\n\r\f]+$/;

function scan(html: string, limit: number, dropBlankGaps = false): { max: number; elements: number; out?: string } {
  let elements = 0;
  const stack: Array<{ name: string; dropped: boolean }> = [];
  // Readability takes an element as the byline only when its raw text (blanks included) is short: gaps inside
  // byline-like elements stay, so that test sees the same text. Protected while the stack is deeper than `guard`.
  let guard = Infinity;
  let max = 0;
  const parts: string[] = [];
  let last = 0;
  let changed = false;
  // Blank gaps between tags: one next to a block-like tag is dropped (saving a text node). When every gap in
  // a run of tags went, the text after the run gets a leading space so that words on either side never fuse.
  let prevEnd = -1;
  let prevBlock = false;
  let runDropped = false;
  let runKept = false;
  TAG.lastIndex = 0;
  for (let m = TAG.exec(html); m; m = TAG.exec(html)) {
    const name = m[2]!.toLowerCase();
    if (dropBlankGaps) {
      const block = BLOCKISH.has(name);
      if (m.index > prevEnd && prevEnd >= 0) {
        const gap = html.slice(prevEnd, m.index);
        if (BLANK.test(gap)) {
          if ((block || prevBlock) && stack.length <= guard) {
            parts.push(html.slice(last, prevEnd));
            last = m.index;
            changed = true;
            runDropped = true;
          } else runKept = true;
        } else {
          if (runDropped && !runKept && !/^\s/.test(gap)) {
            parts.push(html.slice(last, prevEnd), ' ');
            last = prevEnd;
          }
          runDropped = runKept = false;
        }
      }
      prevEnd = m.index + m[0].length;
      prevBlock = block;
      // Elements left open (p, li…) protect until their parent closes.
      if (!m[1] && BYLINE.test(m[0])) guard = Math.min(guard, VOID.has(name) || IMPLIED.has(name) || m[3]!.endsWith('/') ? stack.length - 1 : stack.length);
    }
    if (!m[1]) elements++;
    if (name === 'script' && !m[1] && !m[3]!.endsWith('/')) {
      // Raw text (the JSON-LD kept in the page): nothing inside is a tag.
      const end = html.indexOf('</script', TAG.lastIndex);
      if (end > 0) TAG.lastIndex = end;
    }
    const selfClosing = m[3]!.endsWith('/');
    if (VOID.has(name) || IMPLIED.has(name) || selfClosing) continue;
    let drop = false;
    if (!m[1]) {
      drop = stack.length >= limit;
      stack.push({ name, dropped: drop });
      if (stack.length > max) max = stack.length;
    } else {
      // Close the nearest open element of that name (and everything left open inside it).
      let i = stack.length - 1;
      while (i >= 0 && stack[i]!.name !== name) i--;
      if (i < 0) continue;
      drop = stack[i]!.dropped;
      stack.length = i;
      if (i <= guard) guard = Infinity;
    }
    if (drop) {
      parts.push(html.slice(last, m.index));
      last = m.index + m[0].length;
      changed = true;
    }
  }
  if (!changed) return { max, elements };
  parts.push(html.slice(last));
  return { max, elements, out: parts.join('') };
}
