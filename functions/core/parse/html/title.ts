// The headline: the best of the title candidates, without the site name.
import { decodeHTML } from 'entities';
import type { PageMeta, ReadabilityMeta } from './page.ts';
import { type Block, collapse } from './text.ts';

export const SEPARATORS = [' | ', ' - ', ' – ', ' — ', ' :: ', ' · ', ' • ', ' « ', ' » ', ' / ', ' : '];

export function key(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/^www\./, '').replace(/[^\p{L}\p{N}]+/gu, '');
}

export function hostLabels(url: string | null): string[] {
  if (!url) return [];
  try {
    const host = new URL(url).hostname.replace(/^www\./, '');
    const parts = host.split('.');
    return [host, parts.length >= 2 ? parts[parts.length - 2]! : host];
  } catch {
    return [];
  }
}

function isSiteName(part: string, sites: string[]): boolean {
  const k = key(part);
  if (!k) return false;
  return sites.some((s) => {
    const ks = key(s);
    // The part is the site name, or contains it ("Reuters.com", "The Verge – tech news"), never just a piece of it.
    return ks.length >= 2 && (ks === k || (ks.length >= 4 && k.includes(ks) && ks.length >= k.length * 0.4));
  });
}

/** The headline without a ` | Site` suffix (or `Site | ` prefix) when that part names the site. */
export function stripSiteName(title: string, sites: string[]): string {
  let t = title.trim();
  // A title that is the site name itself (home pages, section fronts) stays whole.
  if (sites.some((s) => key(s) === key(t))) return t;
  for (let round = 0; round < 2; round++) {
    let changed = false;
    for (const sep of SEPARATORS) {
      const at = t.lastIndexOf(sep);
      if (at > 0 && isSiteName(t.slice(at + sep.length), sites) && t.slice(0, at).trim().length >= 3) {
        t = t.slice(0, at).trim();
        changed = true;
        break;
      }
      const first = t.indexOf(sep);
      if (first > 0 && isSiteName(t.slice(0, first), sites) && t.slice(first + sep.length).trim().length >= 3) {
        t = t.slice(first + sep.length).trim();
        changed = true;
        break;
      }
    }
    if (!changed) break;
  }
  return t;
}

const similar = (a: string, b: string) => key(a) === key(b);

export function pickTitle(page: PageMeta, rd: ReadabilityMeta, sites: string[], blocks: Block[]): string {
  const ld = page.jsonLd;
  const og = page.meta.get('og:title') ?? page.meta.get('twitter:title') ?? null;
  // JSON-LD values (Readability's title may be one) can still hold entities such as `&nbsp;`.
  const decoded = (t: string | null | undefined) => (t && t.includes('&') ? decodeHTML(t) : t);
  const candidates = [decoded(rd.title), decoded(ld?.headline), decoded(ld?.name), og, page.docTitle].filter((x): x is string => !!x && !!x.trim()).map(collapse);
  let title = candidates[0] ?? page.h1s[0] ?? blocks[0]?.text.slice(0, 200) ?? 'Untitled';
  title = stripSiteName(title, sites);
  // A heading that is exactly the start of the title before a separator is the headline proper.
  for (const h of page.h1s) {
    if (similar(h, title)) return h.length <= title.length + 2 ? title : h;
    for (const sep of SEPARATORS) {
      if (title.startsWith(h + sep.trimEnd()) && h.length >= 10) return h;
    }
  }
  return title;
}

