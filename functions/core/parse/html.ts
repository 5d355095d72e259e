// HTML article extraction: Readability over a pre-cleaned linkedom DOM, our own paragraph clean-up,
// JSON-LD `articleBody` as a cross-check, and layered metadata (JSON-LD, OpenGraph/meta, markup).
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import type { ParsedArticle } from '../schema.ts';
import { ParseError } from './errors.ts';
import { postcleanBlocks, precleanDom } from './html/cleanup.ts';
import { reconcileWithArticleBody } from './html/body.ts';
import { recoverFragment, surveyProse } from './html/recover.ts';
import { type PageMeta, readPageMeta, resolveMetadata } from './html/page.ts';
import { prepareHtml } from './html/prepare.ts';
import { spareProse } from './html/spare-prose.ts';
import { type Block, toBlocks } from './html/text.ts';

/**
 * Beyond this many elements Readability (quadratic in places) is skipped for a single-pass density pick.
 * Readability's own `maxElemsToParse` cannot be used: it counts with getElementsByTagName('*'), which linkedom does not support.
 */
const MAX_ELEMS = 40_000;

/** Fallback for huge pages: the container holding the most paragraph text (link-heavy paragraphs excluded). */
function densestBlocks(doc: Document): Block[] {
  const score = new Map<Element, number>();
  for (const p of Array.from(doc.getElementsByTagName('p'))) {
    const text = (p.textContent ?? '').replace(/\s+/g, ' ').trim();
    if (text.length < 25) continue;
    let linkChars = 0;
    for (const a of Array.from(p.getElementsByTagName('a'))) linkChars += (a.textContent ?? '').length;
    if (linkChars > text.length * 0.5) continue;
    const parent = p.parentElement;
    if (parent) score.set(parent, (score.get(parent) ?? 0) + text.length);
  }
  let best: Element | null = null;
  let bestScore = 0;
  for (const [el, n] of score) if (n > bestScore) { best = el; bestScore = n; }
  return best ? toBlocks(best) : [];
}

function readabilityBlocks(doc: Document, elements: number): { blocks: Block[]; byline: string | null; title: string | null; publishedTime: string | null; siteName: string | null } {
  let r: ReturnType<Readability<Node>['parse']> = null;
  if (elements > MAX_ELEMS) return { blocks: densestBlocks(doc), byline: null, title: null, publishedTime: null, siteName: null };
  try {
    r = new Readability<Node>(doc, { serializer: (el) => el, keepClasses: true }).parse();
  } catch (e) {
    // A Readability bug on odd markup: fall back to the density pick.
    if (e instanceof RangeError) throw e;
    return { blocks: densestBlocks(doc), byline: null, title: null, publishedTime: null, siteName: null };
  }
  return {
    blocks: r?.content ? toBlocks(r.content) : [],
    byline: r?.byline ?? null,
    title: r?.title ?? null,
    publishedTime: r?.publishedTime ?? null,
    siteName: r?.siteName ?? null,
  };
}

/** Extraction switches (all on by default); exposed for ablation measurements. */
export interface HtmlExtractSettings { preclean: boolean; dropCaptions: boolean; postclean: boolean; articleBody: boolean; recover: boolean; spareProse: boolean }
const DEFAULTS: HtmlExtractSettings = { preclean: true, dropCaptions: true, postclean: true, articleBody: true, recover: true, spareProse: true };

export function parseHtml(html: string, _opts: { fileName: string }, settings: Partial<HtmlExtractSettings> = {}): ParsedArticle {
  const s = { ...DEFAULTS, ...settings };
  const prepared = prepareHtml(html);
  const { document } = parseHTML(prepared.html) as unknown as { document: Document };
  // A cut-off page ("<!", "<htm") parses to no document at all.
  if (!document.documentElement || !document.body) throw new ParseError('no article text found (not an HTML document)');
  // Everything Readability may remove or rewrite is read first.
  const page: PageMeta = readPageMeta(document, prepared.jsonLd);
  // Huge pages skip the pre-clean (its size guards read the text of every candidate).
  if (s.preclean && prepared.elements <= MAX_ELEMS) precleanDom(document);
  if (s.spareProse && prepared.elements <= MAX_ELEMS) spareProse(document);
  const survey = s.recover && prepared.elements <= MAX_ELEMS ? surveyProse(document) : null;
  const rd = readabilityBlocks(document, prepared.elements);
  const picked = survey ? recoverFragment(rd.blocks, survey, prepared.html, { preclean: s.preclean }) : rd.blocks;
  let blocks = s.postclean ? postcleanBlocks(picked, { dropCaptions: s.dropCaptions }) : picked;
  if (s.articleBody) blocks = reconcileWithArticleBody(blocks, page.jsonLd?.articleBody ?? null);
  const text = blocks.map((b) => b.text).join('\n\n').trim();
  if (!text) throw new ParseError('no article text found');
  return { text, ...resolveMetadata(page, rd, blocks) };
}
