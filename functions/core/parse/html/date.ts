// The publication date: structured values first, Readability's, then a date line in the page.
import { DATE_META, type JsonLdArticle, normalizeDate } from './metadata.ts';
import type { PageMeta, ReadabilityMeta } from './page.ts';

export function structuredDate(ld: JsonLdArticle | null, meta: Map<string, string>, times: string[]): string | null {
  const tries: Array<string | null | undefined> = [ld?.datePublished];
  for (const k of DATE_META) tries.push(meta.get(k));
  tries.push(...times);
  const found = tries.map(normalizeDate).filter((d): d is string => !!d);
  const first = found[0];
  if (!first) return null;
  // The same instant written with the page's local offset keeps the local calendar day: prefer it.
  if (first.endsWith('Z')) {
    const local = found.find((d) => !d.endsWith('Z') && Math.abs(Date.parse(d) - Date.parse(first)) < 60_000);
    if (local) return local;
  }
  return first;
}

export function pickDate(page: PageMeta, rd: ReadabilityMeta): string | null {
  return structuredDate(page.jsonLd, page.meta, page.times) ?? normalizeDate(rd.publishedTime) ?? page.textDate;
}

