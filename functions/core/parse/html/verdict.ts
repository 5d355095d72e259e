// Is the extracted text an article? A short brief is; a page's furniture ("Page not found. Back to home."),
// a list of links or a label soup is not. Word counts alone cannot tell a 40-word brief from a 40-word error page.
import { countWords, countWordsUpTo } from '../../words.ts';
import type { Block } from './text.ts';
import { containment, tokens } from './tokens.ts';

/** Below this many words a text must also read as prose (a sentence) and not as an error page. */
export const LONG = 50;

// Error, block and consent pages, in the words such pages use (whole phrases: a brief may say "was not found").
const ERROR_PAGE = new RegExp([
  String.raw`\b(?:error|http)\s*404\b`, String.raw`\b404\b[\s:|–—-]*(?:error|not found|page)`, String.raw`\bpage (?:not found|(?:does not|doesn't|no longer) exists?|cannot be found|could not be found|was not found)`,
  String.raw`\b(?:article|story|content|page) (?:is )?no longer available`, String.raw`\baccess denied\b`, String.raw`\b403 forbidden\b`,
  String.raw`\b(?:enable|turn on) (?:javascript|cookies)\b`, String.raw`\bwe use cookies\b`, String.raw`\bjavascript is (?:disabled|required)\b`, String.raw`\bare you a (?:human|robot)\b`,
  String.raw`p[áa]gina no encontrada`, String.raw`seite nicht gefunden`, String.raw`page introuvable`, String.raw`pagina non trovata`,
  String.raw`pagina niet gevonden`, String.raw`p[áa]gina n[ãa]o encontrada`,
].join('|'), 'i');

const SENTENCE_END = /[.!?…。！？]["'”’»)\]]*$/u;

/** Share of the text (in characters) in paragraphs of six words or more that end like a sentence. */
export function proseShare(blocks: Block[]): number {
  let all = 0;
  let prose = 0;
  for (const b of blocks) {
    all += b.text.length;
    if (SENTENCE_END.test(b.text) && countWordsUpTo(b.text, 6) >= 6) prose += b.text.length;
  }
  return all ? prose / all : 0;
}

/** Share of the text (in characters) inside links. */
export function linkShare(blocks: Block[]): number {
  const chars = blocks.reduce((n, b) => n + b.text.length, 0);
  return chars ? blocks.reduce((n, b) => n + b.linkChars, 0) / chars : 0;
}

/** A run of at least six words ending like a sentence, or a long run without end punctuation (a list item). */
function hasSentence(blocks: Block[]): boolean {
  return blocks.some((b) => {
    const words = countWordsUpTo(b.text, 15);
    return b.linkChars < b.text.length * 0.5 && (words >= 15 || (words >= 6 && SENTENCE_END.test(b.text)));
  });
}

/** Why `blocks` are not an article, or null when they are one. */
export function notAnArticle(blocks: Block[], minWords: number, title: string | null = null): string | null {
  const text = blocks.map((b) => b.text).join('\n\n');
  const words = countWordsUpTo(text, Math.max(minWords, LONG));
  if (words < minWords) return `${words} words, need ${minWords}`;
  const links = linkShare(blocks);
  if (links > 0.5) return `mostly links (${Math.round(100 * links)}% of the text)`;
  if (words >= LONG) return null;
  const error = ERROR_PAGE.exec(`${title ?? ''}\n${text}`);
  if (error) return `an error or notice page ("${error[0]}"), ${words} words`;
  if (!hasSentence(blocks)) return `no sentence in ${words} words`;
  return null;
}

/** How much longer (in words) another candidate must be before the main pass counts as having cut the article. */
export const CUT_RATIO = 1.5;
const joined = (blocks: Block[]) => blocks.map((b) => b.text).join('\n\n');

/**
 * Did the main pass cut the article short, `longer` being the whole of it? Only when `longer` has many more words,
 * reads as prose (few links, mostly sentences) and holds most of the main text: a longer block elsewhere on the
 * page (comments, another story) does not hold it.
 */
export function cutShort(main: Block[], longer: Block[]): boolean {
  const text = joined(longer);
  const mainText = joined(main);
  if (countWords(text) < CUT_RATIO * countWords(mainText)) return false;
  return linkShare(longer) <= 0.2 && proseShare(longer) >= 0.5 && containment(tokens(mainText), tokens(text)) >= 0.8;
}
