// HTML article extraction: Readability over a pre-cleaned linkedom DOM, our own paragraph clean-up,
// JSON-LD `articleBody` as a cross-check, and layered metadata (JSON-LD, OpenGraph/meta, markup). When that finds
// no article, fallbacks in order: Readability over the untouched DOM, the densest text block, the JSON-LD
// `articleBody`; only then a rejection. The article records which path produced it.
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import type { HtmlExtraction, ParsedArticle } from '../schema.ts';
import { ParseError } from './errors.ts';
import { postcleanBlocks, precleanDom } from './html/cleanup.ts';
import { articleBodyBlocks, reconcileWithArticleBody } from './html/body.ts';
import { densest, densestBlocks } from './html/density.ts';
import { type PageMeta, type ReadabilityMeta, readPageMeta, resolveMetadata } from './html/page.ts';
import { prepareHtml } from './html/prepare.ts';
import { adoptStrayNodes, revealStreamedSegments } from './html/repair.ts';
import { type Block, toBlocks } from './html/text.ts';
import { LONG, linkShare, notAnArticle, proseShare } from './html/verdict.ts';
import { countWords, countWordsUpTo } from '../words.ts';

/**
 * Beyond this many elements Readability (quadratic in places) is skipped for a single-pass density pick.
 * Readability's own `maxElemsToParse` cannot be used: it counts with getElementsByTagName('*'), which linkedom does not support.
 */
const MAX_ELEMS = 40_000;
/** Fewest words for a web page's text when `parseHtml` is called without limits (see ParseLimits.minWords). */
const MIN_WORDS = 10;

const NO_META: ReadabilityMeta = { byline: null, title: null, publishedTime: null, siteName: null };

interface Attempt { extraction: HtmlExtraction; blocks: Block[]; rd: ReadabilityMeta }

/** Readability's article as blocks, or null when it found none or failed on odd markup. */
function readabilityBlocks(doc: Document): { blocks: Block[]; rd: ReadabilityMeta } | null {
  let r: ReturnType<Readability<Node>['parse']> = null;
  try {
    r = new Readability<Node>(doc, { serializer: (el) => el, keepClasses: true }).parse();
  } catch (e) {
    // A Readability bug on odd markup: the fallbacks take over.
    if (e instanceof RangeError) throw e;
    return null;
  }
  if (!r) return null;
  return {
    blocks: r.content ? toBlocks(r.content) : [],
    rd: { byline: r.byline ?? null, title: r.title ?? null, publishedTime: r.publishedTime ?? null, siteName: r.siteName ?? null },
  };
}

/** Extraction switches (all on by default); exposed for ablation measurements. */
export interface HtmlExtractSettings { preclean: boolean; dropCaptions: boolean; postclean: boolean; articleBody: boolean; fallbacks: boolean; recheck: boolean }
const DEFAULTS: HtmlExtractSettings = { preclean: true, dropCaptions: true, postclean: true, articleBody: true, fallbacks: true, recheck: true };

function parseDocument(html: string): Document {
  const { document } = parseHTML(html) as unknown as { document: Document };
  // A cut-off page ("<!", "<htm") parses to no document at all.
  if (!document.documentElement || !document.body) throw new ParseError('no article text found (not an HTML document)');
  adoptStrayNodes(document);
  revealStreamedSegments(document);
  return document;
}

export function parseHtml(html: string, opts: { fileName: string; minWords?: number }, settings: Partial<HtmlExtractSettings> = {}): ParsedArticle {
  const s = { ...DEFAULTS, ...settings };
  const minWords = opts.minWords ?? MIN_WORDS;
  const prepared = prepareHtml(html);
  const document = parseDocument(prepared.html);
  // Everything Readability may remove or rewrite is read first.
  const page: PageMeta = readPageMeta(document, prepared.jsonLd);
  const clean = (blocks: Block[]) => (s.postclean ? postcleanBlocks(blocks, { dropCaptions: s.dropCaptions }) : blocks);
  const verdict = (a: Attempt) => notAnArticle(a.blocks, minWords, page.docTitle);
  let main: Attempt;
  if (prepared.elements > MAX_ELEMS) {
    // Huge pages skip the pre-clean (its size guards read the text of every candidate) and Readability.
    main = { extraction: 'densest-block', blocks: clean(densestBlocks(document)), rd: NO_META };
  } else {
    // Sized before the pre-clean and Readability change the DOM (the walk itself changes nothing).
    const denseChars = s.recheck ? densest(document.body).chars : 0;
    if (s.preclean) precleanDom(document);
    const r = readabilityBlocks(document);
    let blocks = clean(r?.blocks ?? []);
    if (s.articleBody) blocks = reconcileWithArticleBody(blocks, page.jsonLd?.articleBody ?? null);
    main = { extraction: 'readability', blocks, rd: r?.rd ?? NO_META };
    if (denseChars >= CUT_RATIO * ownChars(blocks)) main = recheckCut(prepared.html, main, clean);
  }
  const reason = verdict(main);
  const chosen = reason === null || !s.fallbacks ? main : fallback(prepared.html, prepared.elements, page, main, clean, verdict);
  if (!chosen) throw new ParseError(`no article text found (${reason})`);
  const text = chosen.blocks.map((b) => b.text).join('\n\n').trim();
  if (!text) throw new ParseError('no article text found');
  return { text, ...resolveMetadata(page, main.rd, chosen.blocks), extraction: chosen.extraction };
}

/** How much longer the densest block must be before the main pass counts as having cut the article. */
const CUT_RATIO = 1.5;
const WORD = /[\p{L}\p{N}_]+/gu;
const joined = (blocks: Block[]) => blocks.map((b) => b.text).join('\n\n');
const ownChars = (blocks: Block[]) => blocks.reduce((n, b) => n + b.text.length - b.linkChars, 0);

/** Share of `part`'s words (counted with repeats) that `whole` holds too. */
function containment(part: string, whole: string): number {
  const have = new Map<string, number>();
  for (const w of whole.toLowerCase().match(WORD) ?? []) have.set(w, (have.get(w) ?? 0) + 1);
  const words = part.toLowerCase().match(WORD) ?? [];
  let hit = 0;
  for (const w of words) {
    const n = have.get(w) ?? 0;
    if (n > 0) { hit++; have.set(w, n - 1); }
  }
  return words.length ? hit / words.length : 0;
}

/**
 * The densest text block is much longer than the main pass's text: when that block reads as prose (sentences,
 * few links) and holds most of the main text, the main pass cut the article short and the block is taken.
 * A longer block elsewhere (comments, another story) does not hold the main text and changes nothing.
 */
function recheckCut(html: string, main: Attempt, clean: (b: Block[]) => Block[]): Attempt {
  const blocks = clean(densestBlocks(parseDocument(html)));
  const text = joined(blocks);
  const mainText = joined(main.blocks);
  if (countWords(text) < CUT_RATIO * countWords(mainText)) return main;
  if (linkShare(blocks) > 0.2 || proseShare(blocks) < 0.5 || containment(mainText, text) < 0.8) return main;
  return { extraction: 'densest-block', blocks, rd: main.rd };
}

/** The first fallback that yields an article, or null. Re-parses the page: the main pass changed its DOM. */
function fallback(
  html: string, elements: number, page: PageMeta, main: Attempt, clean: (b: Block[]) => Block[], verdict: (a: Attempt) => string | null,
): Attempt | null {
  const candidates: Array<() => Attempt> = [];
  if (elements <= MAX_ELEMS) {
    const doc = parseDocument(html);
    // The density pick reads the DOM without changing it: before Readability rewrites this copy.
    const dense = clean(densestBlocks(doc));
    candidates.push(() => {
      const r = readabilityBlocks(doc);
      return { extraction: 'readability-untouched', blocks: clean(r?.blocks ?? []), rd: main.rd };
    });
    candidates.push(() => ({ extraction: 'densest-block', blocks: dense, rd: main.rd }));
  }
  const body = page.jsonLd?.articleBody;
  if (body) candidates.push(() => ({ extraction: 'json-ld', blocks: articleBodyBlocks(body), rd: main.rd }));
  const tried: Attempt[] = [main];
  for (const next of candidates) {
    const a = next();
    if (verdict(a) === null) return a;
    tried.push(a);
  }
  // A long text that failed only for its links (broken markup can leave a whole page inside one <a>) is kept:
  // rejecting a real article costs more than keeping some navigation.
  return tried.find((a) => countWordsUpTo(a.blocks.map((b) => b.text).join(' '), LONG) >= LONG) ?? null;
}
