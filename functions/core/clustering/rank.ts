// Which article of a group is the original: the most complete, then the earliest; and the batch's
// canonical order (by id), so the output does not depend on the input order.
import type { ClusterItem } from '../cluster.ts';

export const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function time(s: string | null): number | null {
  if (!s) return null;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : null;
}

/** Most complete original first: most words, earliest published, earliest received, smallest id. */
export function rankCompare(a: ClusterItem, b: ClusterItem): number {
  if (a.words !== b.words) return b.words - a.words;
  const pa = time(a.publishedAt);
  const pb = time(b.publishedAt);
  if (pa !== pb) return pa === null ? 1 : pb === null ? -1 : pa - pb;
  const ra = time(a.receivedAt) ?? Infinity;
  const rb = time(b.receivedAt) ?? Infinity;
  if (ra !== rb) return ra < rb ? -1 : 1;
  return cmpStr(a.id, b.id);
}

/**
 * The items ordered by id; a repeated id is the same article (content-addressed): its best-ranked
 * copy is kept. The ids sort natively (code-unit order, as cmpStr), without a JS comparator call per step.
 */
export function canonicalOrder(items: ClusterItem[]): ClusterItem[] {
  const byId = new Map<string, ClusterItem>();
  for (const it of items) {
    const seen = byId.get(it.id);
    if (!seen || rankCompare(it, seen) < 0) byId.set(it.id, it);
  }
  return [...byId.keys()].sort().map((id) => byId.get(id)!);
}

/** rankCompare on article indexes. */
export type IndexRank = (x: number, y: number) => number;

/**
 * rankCompare on indexes into `docs`, with the dates parsed once: `published` holds the publication
 * times (unknown: NaN); receipt times, only needed on ties, are parsed when first asked (unknown is
 * Infinity, NaN is not parsed yet).
 */
export function indexRank(docs: ClusterItem[], published: Float64Array): IndexRank {
  const words = Float64Array.from(docs, (d) => d.words);
  const recT = new Float64Array(docs.length).fill(NaN);
  const received = (x: number): number => {
    let t = recT[x]!;
    if (t !== t) t = recT[x] = time(docs[x]!.receivedAt) ?? Infinity;
    return t;
  };
  return (x, y) => {
    if (words[x] !== words[y]) return words[y]! - words[x]!;
    const pa = published[x]!;
    const pb = published[y]!;
    const na = pa !== pa;
    const nb = pb !== pb;
    if (na !== nb) return na ? 1 : -1;
    if (!na && pa !== pb) return pa - pb;
    const ra = received(x);
    const rb = received(y);
    if (ra !== rb) return ra < rb ? -1 : 1;
    return cmpStr(docs[x]!.id, docs[y]!.id);
  };
}
