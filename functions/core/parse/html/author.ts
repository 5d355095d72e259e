// The byline: JSON-LD, meta tags, Readability's byline, then author markup.
import { AUTHOR_META, isUrl } from './metadata.ts';
import type { PageMeta, ReadabilityMeta } from './page.ts';
import { collapse } from './text.ts';
import { key } from './title.ts';

function cleanAuthor(raw: string, sites: string[]): string | null {
  let a = collapse(raw).replace(/^(?:by|von|par|por|di|door|av|af)\s+/i, '').replace(/^[|,:;\s-]+|[|,:;\s-]+$/g, '');
  if (!a || a.length > 120 || isUrl(a) || a.startsWith('@') || !/\p{L}/u.test(a)) return null;
  // A single token with digits is a user handle ("CC7567"), not a name.
  if (!/\s/.test(a) && /\d/.test(a)) return null;
  if (sites.some((s) => key(s) === key(a)) && !/\s/.test(a)) return a;
  a = a.replace(/\s+(?:updated|published|posted)\b.*$/i, '').trim();
  return a || null;
}

export function pickAuthor(page: PageMeta, rd: ReadabilityMeta, sites: string[]): string | null {
  const ld = page.jsonLd?.authors ?? [];
  if (ld.length) {
    const a = cleanAuthor(ld.slice(0, 6).join(', '), sites);
    if (a) return a;
  }
  for (const k of AUTHOR_META) {
    const v = page.meta.get(k);
    if (v) {
      const a = cleanAuthor(v, sites);
      if (a) return a;
    }
  }
  if (rd.byline) {
    const a = cleanAuthor(rd.byline, sites);
    if (a) return a;
  }
  for (const m of page.markupAuthors) {
    const a = cleanAuthor(m, sites);
    if (a) return a;
  }
  return null;
}

