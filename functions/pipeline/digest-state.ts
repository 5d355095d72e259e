// What a warm digest instance keeps between rebuilds: the source records it parsed, its last publish, and the
// previous edition it continued.
// The handler creates one per instance and passes it in; a fresh one reads everything again and gives the
// same edition.
import type { ArticleRecord } from '../core/schema.ts';
import type { CachedEdition } from './archive.ts';

/** A parsed source record, with the ETag it was read at (as the store returned it; null: none, read again next time). */
export interface CachedSource {
  etag: string | null;
  articles: ArticleRecord[];
}

/** Parsed source records by key: a rebuild reads only the sources that are new or changed since the last. */
export type SourceCache = Map<string, CachedSource>;

/** A publish that completed (its pointer written), and what it was made from. */
export interface LastPublish {
  /** Everything but the sources that the edition's bytes depend on: day, window, settings, renderer. */
  settings: string;
  /** The edition's neighbours, whether it is the latest, and the previous edition it continues. */
  archive: string;
  /** The (unquoted) ETag of each source it was built from. */
  etags: ReadonlyMap<string, string>;
  articles: number;
  /** digests/latest.json as written. */
  pointer: string;
}

/** One per store: its keys are the store's. */
export interface DigestState {
  readonly sources: SourceCache;
  last: LastPublish | null;
  /** The previous edition the last rebuild continued, parsed: the day's later rebuilds do not read it again. */
  previous: CachedEdition | null;
}

export function createDigestState(): DigestState {
  return { sources: new Map(), last: null, previous: null };
}
