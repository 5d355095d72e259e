// Language of an article's text, as an ISO 639-1 code, for articles that do not state one.
// franc-min (trigram profiles of the 82 languages with 8M+ speakers, ~170 KiB minified) replaced tinyld
// (~735 KiB): smaller in the Lambda bundle, and on the dev sets it reads English sports and politics
// copy as English where tinyld said German or Dutch.
import { franc } from 'franc-min';

/** franc speaks ISO 639-3; where ICU's canonical form is not the 639-1 code, the macrolanguage's code. */
const ISO1_OVERRIDES: Readonly<Record<string, string>> = { zlm: 'ms', tgl: 'tl' };

/** Below this many letters trigram statistics are guesswork ("Breaking news" is 12). */
const MIN_LETTERS = 30;

function toIso1(code: string): string | null {
  if (code === 'und') return null;
  const mapped = ISO1_OVERRIDES[code] ?? Intl.getCanonicalLocales(code)[0] ?? '';
  return /^[a-z]{2}$/.test(mapped) ? mapped : null;
}

/** ISO 639-1 code, or null when the text is too short or ambiguous to tell. */
export function detectLanguage(text: string): string | null {
  const sample = text.slice(0, 4000);
  // Letters, not words: Chinese or Japanese text has no spaces to count by.
  if (sample.replace(/[^\p{L}]/gu, '').length < MIN_LETTERS) return null;
  return toIso1(franc(sample, { minLength: MIN_LETTERS }));
}
