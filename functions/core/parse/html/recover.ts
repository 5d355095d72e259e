// A check on Readability's pick: when the page's prose sits in one container but Readability returned only a
// fragment of it (a page builder's nested sections, sibling blocks it scored apart), take the whole container.
import { inComments, linkChars, proseLength } from './prose.ts';
import { type Block, collapse, toBlocks } from './text.ts';

/** Where the page's prose is, read before Readability rewrites the DOM. */
export interface ProseSurvey {
  /** The prose paragraphs (sentence length, mostly not links, not in a comment thread), and whether each is in the root. */
  paragraphs: Array<{ text: string; inRoot: boolean }>;
  total: number;
  /** Child-index path from <body> to the smallest element holding most of the prose, or null. */
  rootPath: number[] | null;
  /** Of the root: share of its text in links, and how many of its children hold prose. */
  rootLinkDensity: number;
  rootProseChildren: number;
  rootIsList: boolean;
}

/** The container must hold this share of the page's prose. */
const ROOT_SHARE = 0.8;

function pathTo(el: Element, body: Element): number[] {
  const path: number[] = [];
  for (let e: Element = el; e !== body && e.parentElement; e = e.parentElement) path.push(Array.from(e.parentElement.children).indexOf(e));
  return path.reverse();
}

function follow(body: Element, path: number[]): Element | null {
  let e: Element | undefined = body;
  for (const i of path) e = e?.children[i];
  return e ?? null;
}

/** The deepest element holding at least ROOT_SHARE of the prose (no child of it holds that much on its own). */
function deepestHolder(held: Map<Element, number>, total: number): Element | null {
  let root: Element | null = null;
  let depth = -1;
  for (const [el, n] of held) {
    if (n < total * ROOT_SHARE) continue;
    let d = 0;
    for (let a = el.parentElement; a; a = a.parentElement) d++;
    if (d > depth) { root = el; depth = d; }
  }
  return root;
}

export function surveyProse(doc: Document): ProseSurvey {
  const body = doc.body;
  const found: Array<{ p: Element; text: string }> = [];
  const held = new Map<Element, number>();
  let total = 0;
  const comments = new Map<Element, boolean>();
  for (const p of Array.from(body.getElementsByTagName('p'))) {
    if (!proseLength(p) || inComments(p, comments)) continue;
    const text = collapse(p.textContent ?? '');
    found.push({ p, text });
    total += text.length;
    for (let a = p.parentElement; a && a !== body; a = a.parentElement) held.set(a, (held.get(a) ?? 0) + text.length);
  }
  const root = deepestHolder(held, total);
  const paragraphs = found.map(({ p, text }) => ({ text, inRoot: !!root?.contains(p) }));
  if (!root) return { paragraphs, total, rootPath: null, rootLinkDensity: 1, rootProseChildren: 0, rootIsList: false };
  const rootText = Math.max(1, collapse(root.textContent ?? '').length);
  const proseChildren = Array.from(root.children).filter((c) => found.some(({ p }) => c === p || c.contains(p))).length;
  return {
    paragraphs, total, rootPath: pathTo(root, body),
    rootLinkDensity: linkChars(root) / rootText, rootProseChildren: proseChildren, rootIsList: root.tagName === 'UL' || root.tagName === 'OL',
  };
}

/** Share of the surveyed prose that the extracted blocks hold, and the share of that found prose that is in the root. */
export function proseRecall(blocks: Block[], survey: ProseSurvey): { recall: number; inRoot: number } {
  if (!survey.total) return { recall: 1, inRoot: 1 };
  const text = collapse(blocks.map((b) => b.text).join(' '));
  let found = 0;
  let inRoot = 0;
  for (const p of survey.paragraphs) {
    if (!text.includes(p.text.slice(0, 60))) continue;
    found += p.text.length;
    if (p.inRoot) inRoot += p.text.length;
  }
  return { recall: found / survey.total, inRoot: found ? inRoot / found : 1 };
}

/**
 * Is Readability's pick a fragment of the surveyed container? It kept under half of the page's prose, what it kept
 * lies in the container, and the container reads as one text: sections (three or more children with prose), few
 * links (not a column of teasers), not a list (comments, reviews). When Readability found none of the prose, the
 * container is the better guess whatever its shape, unless it is mostly links.
 */
export function isFragment(blocks: Block[], survey: ProseSurvey): boolean {
  if (!survey.rootPath || survey.total < 1000 || survey.rootLinkDensity >= 0.35) return false;
  const { recall, inRoot } = proseRecall(blocks, survey);
  if (recall === 0) return true;
  return recall < 0.5 && inRoot >= 0.8 && survey.rootProseChildren >= 3 && !survey.rootIsList;
}

/**
 * Readability's blocks, or the surveyed prose container's when Readability's are a fragment of it. The container is
 * found again in `fresh()`, the page parsed and prepared as the surveyed one was (Readability has rewritten that):
 * the cost is paid on doubtful pages only.
 */
export function recoverFragment(blocks: Block[], survey: ProseSurvey, fresh: () => Document): Block[] {
  if (!isFragment(blocks, survey)) return blocks;
  const document = fresh();
  const root = follow(document.body, survey.rootPath!);
  if (!root) return blocks;
  const recovered = toBlocks(root);
  return proseRecall(recovered, survey).recall > proseRecall(blocks, survey).recall ? recovered : blocks;
}
