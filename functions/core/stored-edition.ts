// digest.json as stored: an edition of this version, or one written before stories carried their continuity
// (newsdigest.edition/1), read as if every story in it had been new that day.
import * as z from 'zod';
import { EditionSchema } from './edition.ts';

function upgrade(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const v = value as { schema?: unknown; edition?: unknown; counts?: unknown; stories?: unknown };
  if (v.schema !== 'newsdigest.edition/1' || !Array.isArray(v.stories) || typeof v.counts !== 'object') return value;
  const day = v.edition;
  return {
    ...v,
    schema: 'newsdigest.edition/2',
    previous: null,
    counts: { ...v.counts, new: v.stories.length, developing: 0, unchanged: 0 },
    stories: v.stories.map((s: unknown) =>
      typeof s === 'object' && s !== null ? { ...s, status: 'new', firstSeen: day, lastUpdated: day, changes: null, mergedFrom: [], splitFrom: null } : s,
    ),
  };
}

/** Reads either version; the result is always an edition of this version. */
export const StoredEditionSchema = z.preprocess(upgrade, EditionSchema);
