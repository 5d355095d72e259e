// Clutter removal around Readability: a careful pre-clean of the DOM, and a paragraph-level post-clean.
import { isDateLine } from './metadata.ts';
import { collapsedLength, proseLength } from './prose.ts';
import type { Block } from './text.ts';

// Page furniture by tag and ARIA role.
const CLUTTER_TAGS = ['nav', 'aside', 'footer', 'button', 'select', 'dialog', 'menu'];
const CLUTTER_ROLES = /^(?:navigation|complementary|contentinfo|search|menu|menubar|dialog|alertdialog|banner|toolbar)$/i;

// Class / id words of page furniture (matched as whole words of the class list, split on space, - and _).
const CLUTTER_WORDS = new Set([
  'share', 'shares', 'sharing', 'sharebar', 'social', 'socials', 'sociallinks', 'related', 'recommended', 'recommendations',
  'newsletter', 'newsletters', 'subscribe', 'subscription', 'signup', 'promo', 'promos', 'breadcrumb', 'breadcrumbs',
  'comments', 'comment', 'disqus', 'taboola', 'outbrain', 'advert', 'advertisement', 'adslot', 'ads', 'sponsored',
  'popular', 'trending', 'mostread', 'tags', 'tag', 'taglist', 'tagcloud', 'keywords', 'sidebar',
  'nav', 'navbar', 'navigation', 'menu', 'footer', 'masthead', 'toolbar', 'pagination', 'pager', 'cookie', 'cookies',
  'consent', 'gdpr', 'modal', 'popup',
]);
// Containers that are the article itself never go, whatever their class says.
const KEEP = /(?:^|[\s_-])(?:article-?body|articlebody|story-?body|post-?body|entry-?content|article-?content|post-?content|main-?content)(?:$|[\s_-])/i;

const INLINE = new Set(['A', 'SPAN', 'EM', 'STRONG', 'B', 'I', 'U', 'S', 'SMALL', 'MARK', 'ABBR', 'CITE', 'CODE', 'Q', 'SUB', 'SUP', 'TIME', 'FONT', 'LABEL', 'IMG', 'PICTURE', 'SOURCE', 'BR', 'WBR', 'DFN', 'KBD', 'VAR', 'BDI', 'BDO', 'DATA', 'INS', 'DEL']);

const wordsOf = (s: string | null) => (s ?? '').toLowerCase().split(/[\s_-]+/).filter(Boolean);

/** Words of the class list and id; a long id is a slug of a heading ("how-popular-is-x"), not a role. */
function classWords(el: Element): string[] {
  const id = wordsOf(el.getAttribute('id'));
  return [...wordsOf(el.getAttribute('class')), ...(id.length <= 4 ? id : [])];
}

function isArticleContainer(el: Element): boolean {
  if (el.tagName === 'ARTICLE' || el.tagName === 'MAIN') return true;
  if ((el.getAttribute('itemprop') ?? '').toLowerCase() === 'articlebody') return true;
  return KEEP.test(`${el.getAttribute('class') ?? ''} ${el.getAttribute('id') ?? ''}`);
}

/** Elements of `root` in document order, by an iterative walk (linkedom's selector engine is slow). */
export function* elementsOf(root: Element): Generator<Element> {
  let el: Element | null = root.firstElementChild;
  while (el) {
    yield el;
    if (el.firstElementChild) { el = el.firstElementChild; continue; }
    while (el && !el.nextElementSibling) {
      el = el.parentElement;
      if (el === root) return;
    }
    el = el ? el.nextElementSibling : null;
  }
}

/** Characters in substantial paragraphs under `el` (the article body is made of those). */
function longParagraphChars(el: Element): number {
  let n = 0;
  for (const p of Array.from(el.getElementsByTagName('p'))) {
    const len = (p.textContent ?? '').replace(/\s+/g, ' ').trim().length;
    if (len >= 80) n += len;
  }
  return n;
}

/** Characters of prose under `el`: paragraphs of sentence length that are mostly not links. */
function proseChars(el: Element): number {
  let n = 0;
  for (const p of Array.from(el.getElementsByTagName('p'))) n += proseLength(p);
  return n;
}

/** Non-blank characters of text under `el` (a cheap "is this the body?" signal). */
function textChars(el: Element): number {
  return (el.textContent ?? '').replace(/\s+/g, '').length;
}

/** Still in the document (not inside a subtree removed earlier)? */
function attached(el: Node, doc: Document): boolean {
  let n: Node | null = el;
  while (n.parentNode) n = n.parentNode;
  return n === doc;
}

/** Mostly prose, and a real share of the page's prose: a part of the article, whatever its class says. */
function isProseShare(el: Element, totalProse: () => number): boolean {
  const prose = proseChars(el);
  return prose >= 200 && prose >= totalProse() * 0.15 && prose >= collapsedLength(el) * 0.5;
}

export interface PrecleanStats { removed: number }

/** Removes navigation, asides, share bars, related links, comments… but never the article container. */
export function precleanDom(doc: Document, onRemove?: (el: Element, why: string) => void): PrecleanStats {
  const body = doc.body;
  if (!body) return { removed: 0 };
  const total = Math.max(1, textChars(body));
  const totalLong = longParagraphChars(body);
  // The page's prose, counted once and only if a class word is about to remove a block that holds some.
  let pageProse = -1;
  const totalProse = () => (pageProse < 0 ? (pageProse = proseChars(body)) : pageProse);
  const victims: Array<[Element, string]> = [];
  // Article containers and all their ancestors are never removed.
  const protectedEls = new Set<Element>();
  for (const el of elementsOf(body)) {
    if (isArticleContainer(el)) {
      for (let a: Element | null = el; a && !protectedEls.has(a); a = a.parentElement) protectedEls.add(a);
      continue;
    }
    const tag = el.tagName.toLowerCase();
    if (CLUTTER_TAGS.includes(tag)) { victims.push([el, tag]); continue; }
    const role = el.getAttribute('role');
    if (role && CLUTTER_ROLES.test(role)) { victims.push([el, `role=${role}`]); continue; }
    // Only containers: a link or a span with a telling class sits inside running text.
    if (INLINE.has(el.tagName) || (!el.hasAttribute('class') && !el.hasAttribute('id'))) continue;
    const words = classWords(el);
    // Embedded posts (tweets, videos) inside the article are part of it.
    if (words.includes('embed') || words.includes('embedded')) continue;
    const w = words.find((x) => CLUTTER_WORDS.has(x));
    if (w) victims.push([el, `.${w}`]);
  }
  const holdsArticle = (el: Element) => protectedEls.has(el);
  let removed = 0;
  for (const [el, why] of victims) {
    if (!attached(el, doc) || holdsArticle(el)) continue;
    // Clutter is small next to the article: never drop a block holding a large share of the paragraphs.
    if (textChars(el) > total * 0.25) continue;
    if (totalLong > 0 && longParagraphChars(el) > totalLong * 0.3) continue;
    // A class or id word is the weakest signal (ids are often slugs of a heading): a block that is mostly prose stays.
    if (why.startsWith('.') && isProseShare(el, totalProse)) continue;
    onRemove?.(el, why);
    el.remove();
    removed++;
  }
  return { removed };
}

const wordCount = (s: string) => s.split(/\s+/).filter(Boolean).length;

// Whole-line boilerplate: share prompts, subscriptions, credits, navigation leftovers.
const BOILERPLATE = [
  /^(?:share|share this|share this (?:article|story|post)|share on \w+|tweet|email|print|pin|whatsapp|facebook|twitter|linkedin|reddit|comments?|\d+ comments?|leave a (?:comment|reply)|reply|close|caption|advertisement|advert|ad|sponsored|loading(?: content)?\.*|skip to (?:main )?content|read more|read next|more|see more|show more|view more|continue reading|related|related (?:articles|stories|posts|content)|you (?:may|might) also like\.*|recommended(?: for you)?|most (?:read|popular)|trending(?: now)?|tags?:?|topics?:?|filed under:?|back to top|top)\W*$/i,
  /^(?:photo|image|picture|foto|video|source|credit|illustration)s?(?: credit)?\s*[:|]\s*\S.{0,80}$/i,
  /^image (?:copyright|caption)\b.{0,80}$/i,
  /^(?:copyright|©|\(c\))\s.{0,120}$/i,
  /^(?:sign up|subscribe|register|log ?in|sign in)\b.{0,120}$/i,
  /^(?:follow|like) us on\b.{0,80}$/i,
  /^media playback is unsupported on your device$/i,
  /^(?:don'?t miss|continue reading(?: below| the main story)?|breaking news|editor'?s picks?|more from [\w .]+|most viewed|latest news|watch(?: now)?|listen(?: now)?|play video|photos?|gallery|video)\W*$/i,
  /^(?:published|updated|posted|last updated|modified|first published|publicado|actualizado|veröffentlicht|aktualisiert|publié|mis à jour)\b.{0,80}$/i,
  /^\|?\s*(?:published|updated|posted)\s*:.{0,60}$/i,
  /^(?:getty images?|ap|reuters|afp|shutterstock|istock)(?:\s*\/\s*[\w .]+)?$/i,
];

// Caption and credit tails: "... (Image: GETTY)", "(AP Photo/Alan Diaz, File)", "...Credit: Getty".
const CAPTION_TAIL = /(?:\((?:image|photo|picture|foto|credit|source|pictured)s?\s*[:/][^)]{0,80}\)|\((?:AP|AFP|Reuters|Getty|EPA)\b[^)/]{0,30}\/[^)]{0,60}\)|\bcredit\s*[:.]{1,3}\s*\S[^.]{0,60})\s*$/i;
// Teaser links to other stories: "Headline [VIDEO]", "Headline [INSIGHT]|".
const TEASER_TAG = /\[[A-Z][A-Z ]{1,20}\]\s*\|?\s*$/;
const COPYRIGHT = /(?:©|\(c\)\s*\d{4}|\bcopyright\b|all rights reserved|todos los derechos reservados|tous droits réservés|alle rechte vorbehalten)/i;

export function isBoilerplate(text: string): boolean {
  if (text.length > 300) return false;
  if (BOILERPLATE.some((re) => re.test(text))) return true;
  const words = wordCount(text);
  if (words <= 40 && (CAPTION_TAIL.test(text) || TEASER_TAG.test(text))) return true;
  if (words <= 40 && COPYRIGHT.test(text)) return true;
  return false;
}

/** A short line naming the author ("By Jane Doe - 11/18/19 11:04 PM"): metadata, not body. */
function isBylineLine(text: string): boolean {
  return wordCount(text) <= 14 && /^(?:by|von|par|por|door|di)\s+\p{Lu}/iu.test(text);
}

/** Upper-case short lines that are links: teaser headlines of other stories. */
function isShoutedLink(b: Block): boolean {
  const letters = b.text.replace(/[^\p{L}]/gu, '');
  return letters.length >= 8 && letters === letters.toUpperCase() && letters !== letters.toLowerCase()
    && wordCount(b.text) <= 20 && b.linkChars >= b.text.length * 0.5;
}


export interface PostcleanOptions { dropCaptions: boolean }

/** Paragraph-level clean-up of the extracted blocks. */
export function postcleanBlocks(blocks: Block[], opts: PostcleanOptions): Block[] {
  let out = blocks.filter((b) => !isBoilerplate(b.text) && !(opts.dropCaptions && b.caption) && !isShoutedLink(b));
  // Bylines sit at the very start or end of the body.
  out = out.filter((b, i) => !((i < 3 || i >= out.length - 3) && (isBylineLine(b.text) || isDateLine(b.text))));
  // Exact repeats (captions shown twice, repeated pull quotes) add nothing.
  const seen = new Set<string>();
  out = out.filter((b) => {
    const k = b.text.toLowerCase();
    if (seen.has(k) && wordCount(k) > 0) return false;
    seen.add(k);
    return true;
  });
  // Link lists at either end (tag clouds, "more stories") are navigation, not article text.
  const navLike = (b: Block) => b.linkChars >= b.text.length * 0.5 && wordCount(b.text) < 15;
  while (out.length && navLike(out[out.length - 1]!)) out.pop();
  while (out.length && navLike(out[0]!)) out.shift();
  return out;
}
