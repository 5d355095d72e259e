// JSON-LD `articleBody` as a second opinion on the extracted text.
import { parseHTML } from 'linkedom';
import { type Block, collapse, toBlocks } from './text.ts';
import { containment, tokens } from './tokens.ts';


/** Paragraphs of an `articleBody` value (plain text, or HTML, possibly entity-escaped). */
export function articleBodyBlocks(raw: string): Block[] {
  let s = raw;
  if (/&lt;\/?(?:p|br|div)\b/i.test(s) && !/<\/?(?:p|br|div)\b/i.test(s)) {
    s = s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  }
  if (/<\/?[a-z][^>]*>/i.test(s)) {
    const { document } = parseHTML(`<!doctype html><html><body>${s}</body></html>`) as unknown as { document: Document };
    return toBlocks(document.body);
  }
  // Plain text: entities may still be escaped, paragraphs are line breaks.
  const { document } = parseHTML(`<!doctype html><html><body><pre>${s.replace(/</g, '&lt;')}</pre></body></html>`) as unknown as { document: Document };
  const plain = document.body.textContent ?? s;
  return plain.split(/\n\s*\n|\r?\n/).map(collapse).filter(Boolean)
    .map((text) => ({ text, tag: 'P', linkChars: 0, caption: false, heading: false, listItem: false }));
}

/**
 * When the page carries a substantial `articleBody`, drop extracted paragraphs that are not part of it
 * (clutter Readability kept), and use the `articleBody` itself when the extraction missed most of it.
 */
export function reconcileWithArticleBody(blocks: Block[], articleBody: string | null): Block[] {
  if (!articleBody) return blocks;
  const ab = articleBodyBlocks(articleBody);
  const abTokens = ab.flatMap((b) => tokens(b.text));
  // Teasers and paywall stubs (a few sentences) say nothing about the rest of the page.
  if (abTokens.length < 120) return blocks;
  const vocab = new Set(abTokens);
  const kept = blocks.filter((b) => {
    const t = tokens(b.text);
    if (!t.length) return false;
    return t.filter((w) => vocab.has(w)).length / t.length >= 0.5;
  });
  const recall = containment(abTokens, kept.flatMap((b) => tokens(b.text)));
  if (recall >= 0.8) return kept;
  // The extraction missed much of the declared body: the page's own articleBody is the better text.
  const extractedTokens = blocks.reduce((n, b) => n + tokens(b.text).length, 0);
  return recall < 0.5 || abTokens.length > extractedTokens ? ab : blocks;
}
