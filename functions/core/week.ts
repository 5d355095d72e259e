// What a weekly reader gets: today's edition plus the stories of the editions since what they last received
// that have left today's 48-hour window, each in its latest version. Story ids carry across editions, so a story
// is listed once; marking against the reader's baseline (since.ts) then says what is new or developing. Pure.
import { withStories, type Edition, type EditionStory } from './edition.ts';
import type { Weekday } from './subscriber.ts';
import { WEEKDAYS } from './subscriber.ts';

/** Editions older than this are not merged, whatever the baseline: a weekly reader's week, with slack for a missed send. */
export const MAX_MERGED_DAYS = 14;

/** The weekday an edition is named after (its YYYY-MM-DD day). */
export function weekdayOf(day: string): Weekday {
  return WEEKDAYS[(new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7]!;
}

/** The days after `baseline` (or the week before `day` when none) and before `day`, oldest first, at most MAX_MERGED_DAYS. */
export function daysBetween(baseline: string | null, day: string): string[] {
  const end = Date.parse(`${day}T00:00:00Z`);
  const from = baseline === null ? end - 7 * 86_400_000 : Date.parse(`${baseline}T00:00:00Z`) + 86_400_000;
  const start = Math.max(from, end - MAX_MERGED_DAYS * 86_400_000);
  const days: string[] = [];
  for (let t = start; t < end; t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/**
 * `today` with the stories of `earlier` editions (any order) it no longer carries appended, newest edition first,
 * each story as the latest edition that carried it had it. Counts follow; statuses are set by marking later.
 */
export function mergeEditions(today: Edition, earlier: readonly Edition[]): Edition {
  if (earlier.length === 0) return today;
  const seen = new Set(today.stories.map((s) => s.id));
  const older: EditionStory[] = [];
  for (const e of [...earlier].sort((a, b) => b.edition.localeCompare(a.edition))) {
    for (const s of e.stories) {
      if (seen.has(s.id)) continue;
      seen.add(s.id);
      older.push(s);
    }
  }
  if (older.length === 0) return today;
  const stories = [...today.stories, ...older];
  return withStories(today, stories);
}
