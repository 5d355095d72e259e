// A subscriber's preferences applied to an already clustered edition (never re-clustering): topics, muted
// outlets, languages and full-or-new. Pure: edition + preferences → the edition that subscriber reads, with its
// credits and counts recomputed. `preferencesKey` is the canonical form: equal keys filter identically.
import { withStories, type Edition, type EditionStory } from './edition.ts';
import type { Preferences } from './subscriber.ts';

/** Lower case, accents and punctuation gone, words separated by single spaces, padded for whole-word search. */
export function foldText(text: string): string {
  const words = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  return ` ${words.join(' ')} `;
}

const foldAll = (list: readonly string[]) => [...new Set(list.map(foldText).filter((p) => p.trim() !== ''))].sort();

/** The preferences that change what a message holds, canonical (folded, deduplicated, sorted): the render cache's key. */
export function preferencesKey(p: Preferences): string {
  return JSON.stringify({
    include: foldAll(p.topics.include),
    exclude: foldAll(p.topics.exclude),
    muted: foldAll(p.mutedOutlets),
    languages: [...new Set(p.languages)].sort(),
    content: p.content,
  });
}

interface Filter {
  include: string[];
  exclude: string[];
  muted: Set<string>;
  languages: Set<string>;
  content: Preferences['content'];
}

function filterOf(p: Preferences): Filter {
  return { include: foldAll(p.topics.include), exclude: foldAll(p.topics.exclude), muted: new Set(foldAll(p.mutedOutlets)), languages: new Set(p.languages), content: p.content };
}

/** True when the preferences leave every edition as it is. */
export function filtersNothing(p: Preferences): boolean {
  const f = filterOf(p);
  return f.include.length === 0 && f.exclude.length === 0 && f.muted.size === 0 && f.languages.size === 0 && f.content === 'full';
}

const isMuted = (f: Filter, outlet: string | null) => outlet !== null && f.muted.has(foldText(outlet));

/**
 * The story without the muted outlets' articles, or null when only they covered it. An entry whose own outlet
 * is muted but which has unmuted syndicated copies is kept under its first unmuted copy (same text).
 */
function withoutMuted(story: EditionStory, f: Filter): EditionStory | null {
  if (f.muted.size === 0) return story;
  const entries: EditionStory['entries'] = [];
  for (const entry of story.entries) {
    const copies = entry.copies.filter((c) => !isMuted(f, c.publisher));
    if (!isMuted(f, entry.publisher)) entries.push({ ...entry, copies });
    else if (copies.length > 0) {
      const [lead, ...rest] = copies as [(typeof copies)[0], ...typeof copies];
      entries.push({ ...entry, id: lead.articleId, publisher: lead.publisher, url: lead.url, author: null, copies: rest });
    }
  }
  if (entries.length === 0) return null;
  const outlets = [...new Set(entries.flatMap((e) => [e.publisher, ...e.copies.map((c) => c.publisher)]).filter((o): o is string => o !== null))];
  return { ...story, entries, outlets, articleCount: entries.reduce((n, e) => n + 1 + e.copies.length, 0) };
}

/** Whole words or phrases, on the headline, the summary and the articles' titles. */
function matchesTopics(story: EditionStory, f: Filter): boolean {
  if (f.include.length === 0 && f.exclude.length === 0) return true;
  const text = foldText([story.headline, story.summary, ...story.entries.map((e) => e.title)].join('\n'));
  if (f.exclude.some((p) => text.includes(p))) return false;
  return f.include.length === 0 || f.include.some((p) => text.includes(p));
}

/** A story whose language is unknown is kept: nothing says it is not in the reader's languages. */
const inLanguages = (story: EditionStory, f: Filter) => f.languages.size === 0 || story.language === null || f.languages.has(story.language);

/**
 * The edition one subscriber reads: stories failing their topics or languages dropped, muted outlets' coverage
 * removed (a story only they covered dropped), and with `content: 'new'` the unchanged stories dropped (not even
 * counted). Ranking, ids and statuses are the edition's; the counts follow what is left.
 */
export function applyPreferences(edition: Edition, preferences: Preferences): Edition {
  if (filtersNothing(preferences)) return edition;
  const f = filterOf(preferences);
  const stories: EditionStory[] = [];
  for (const story of edition.stories) {
    if (f.content === 'new' && story.status === 'unchanged') continue;
    if (!inLanguages(story, f)) continue;
    const kept = withoutMuted(story, f);
    if (kept && matchesTopics(kept, f)) stories.push(kept);
  }
  return withStories(edition, stories);
}
