// HTML article extraction: Readability over a pre-cleaned linkedom DOM (the prose container instead when it kept a
// fragment of the page's prose), our own paragraph clean-up,
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
import { adoptStrayNodes, mayHaveStreamedSegments, mergeBodies, revealStreamedSegments } from './html/repair.ts';
import { recoverFragment, surveyProse } from './html/recover.ts';
import { spareProse } from './html/spare-prose.ts';
import { type Block, toBlocks } from './html/text.ts';
import { CUT_RATIO, LONG, cutShort, notAnArticle } from './html/verdict.ts';
import { countWordsUpTo } from '../words.ts';

const ownChars = (blocks: Block[]) => blocks.reduce((n, b) => n + b.text.length - b.linkChars, 0);

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
export interface HtmlExtractSettings {
  preclean: boolean; dropCaptions: boolean; postclean: boolean; articleBody: boolean; fallbacks: boolean; recheck: boolean; recover: boolean; spareProse: boolean;
}
const DEFAULTS: HtmlExtractSettings = { preclean: true, dropCaptions: true, postclean: true, articleBody: true, fallbacks: true, recheck: true, recover: true, spareProse: true };

function parseDocument(html: string): Document {
  const { document } = parseHTML(html) as unknown as { document: Document };
  // A cut-off page ("<!", "<htm") parses to no document at all.
  if (!document.documentElement || !document.body) throw new ParseError('no article text found (not an HTML document)');
  mergeBodies(document);
  adoptStrayNodes(document);
  if (mayHaveStreamedSegments(html)) revealStreamedSegments(document);
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
  // Huge pages skip the pre-clean (its size guards read the text of every candidate) and Readability.
  const main = prepared.elements > MAX_ELEMS
    ? { extraction: 'densest-block' as const, blocks: clean(densestBlocks(document)), rd: NO_META }
    : mainPass(document, prepared.html, page, s, clean, verdict);
  const reason = verdict(main);
  const chosen = reason === null || !s.fallbacks ? main : fallback(prepared.html, prepared.elements, page, main, clean, verdict);
  if (!chosen) throw new ParseError(`no article text found (${reason})`);
  const text = chosen.blocks.map((b) => b.text).join('\n\n').trim();
  if (!text) throw new ParseError('no article text found');
  return { text, ...resolveMetadata(page, main.rd, chosen.blocks), extraction: chosen.extraction };
}

/** Pre-clean, Readability (or the prose container it kept a fragment of), post-clean, the articleBody check. */
function mainPass(
  document: Document, html: string, page: PageMeta, s: HtmlExtractSettings, clean: (b: Block[]) => Block[], verdict: (a: Attempt) => string | null,
): Attempt {
  // Sized before the pre-clean and Readability change the DOM (the walk itself changes nothing).
  const denseChars = s.recheck ? densest(document.body).chars : 0;
  if (s.preclean) precleanDom(document);
  if (s.spareProse) spareProse(document);
  const survey = s.recover ? surveyProse(document) : null;
  const r = readabilityBlocks(document);
  const found = r?.blocks ?? [];
  // The container is looked up in a copy parsed, repaired and pre-cleaned like the surveyed DOM, so its path holds.
  const surveyed = () => {
    const copy = parseDocument(html);
    if (s.preclean) precleanDom(copy);
    return copy;
  };
  const picked = survey ? recoverFragment(found, survey, surveyed) : found;
  let blocks = clean(picked);
  if (s.articleBody) blocks = reconcileWithArticleBody(blocks, page.jsonLd?.articleBody ?? null);
  const main: Attempt = { extraction: picked === found ? 'readability' : 'prose-container', blocks, rd: r?.rd ?? NO_META };
  // Only a main pass that found an article is second-guessed; one that found none goes down the fallbacks.
  return denseChars > 0 && denseChars >= CUT_RATIO * ownChars(blocks) && verdict(main) === null ? recheckCut(html, main, clean) : main;
}

/**
 * The densest text block is much longer than the main pass's text: when the main pass cut the article short
 * (see cutShort), the block is taken instead.
 */
function recheckCut(html: string, main: Attempt, clean: (b: Block[]) => Block[]): Attempt {
  const blocks = clean(densestBlocks(parseDocument(html)));
  return cutShort(main.blocks, blocks) ? { extraction: 'densest-block', blocks, rd: main.rd } : main;
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
