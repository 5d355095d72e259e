// The email of one edition for one baseline (the edition its readers last received) and one set of preferences:
// edition + baseline + preferences → message content. Subscribers with the same baseline and the same
// preferences (canonical form) share one render; the group whose baseline is the edition's own previous edition
// and whose preferences filter nothing gets the parts the digest already published, without a render.
import * as z from 'zod';
import type { Edition } from '../core/edition.ts';
import type { EditionContent } from '../core/email.ts';
import { mailedStories } from '../core/mailed.ts';
import type { ObjectStore } from '../core/ports.ts';
import { applyPreferences, preferencesKey } from '../core/preferences.ts';
import type { RenderedEdition } from '../core/render.ts';
import { editionSince } from '../core/since.ts';
import { DEFAULT_PREFERENCES, type Preferences } from '../core/subscriber.ts';
import { daysBetween, mergeEditions } from '../core/week.ts';
import { editionSubject } from '../core/text-format.ts';
import { editionKey, readEdition, readText } from './archive.ts';

/** The email parts of an edition (createRenderer's result, or a part of it). */
export type MailRender = (edition: Edition) => Pick<RenderedEdition, 'html' | 'emailText' | 'subject'>;

export interface EditionMail {
  /** The edition marked against the baseline: what the message says is new. */
  edition: Edition;
  content: EditionContent;
}

/** The published email parts of an edition (as marked against its own previous edition). */
async function publishedContent(store: ObjectStore, edition: Edition): Promise<EditionContent> {
  const day = edition.edition;
  const [html, mailText] = await Promise.all([readText(store, editionKey(day, 'html')), readText(store, editionKey(day, 'mailText'))]);
  // Editions published before email.txt existed: their digest.txt (the whole edition) is the plain-text part.
  const text = mailText ?? (await readText(store, editionKey(day, 'text')));
  if (html === null || text === null) throw new Error(`edition ${day} is missing its digest.html or email.txt`);
  return { html, text, subject: editionSubject(edition) };
}

/**
 * The email for each baseline day (null: the reader has received nothing) and preferences, memoised: null when
 * nothing in the edition is new or developing for that reader once their preferences are applied.
 */
export function editionMails(
  store: ObjectStore,
  edition: Edition,
  render: () => MailRender,
): (baseline: string | null, preferences?: Preferences) => Promise<EditionMail | null> {
  const marked = new Map<string, Promise<Edition>>();
  const cache = new Map<string, Promise<EditionMail | null>>();
  // A baseline gone or not an edition counts as none: the reader gets everything, not nothing. A store fault
  // propagates (the run is retried) rather than mailing everything again.
  // Each earlier edition is read once per run, however many baselines and weeks it falls in.
  const reads = new Map<string, Promise<Edition | null>>();
  const tolerantRead = (day: string): Promise<Edition | null> => {
    let read = reads.get(day);
    if (!read) {
      read = readEdition(store, day).catch((e: unknown) => {
        if (e instanceof SyntaxError || e instanceof z.ZodError) return null;
        throw e;
      });
      reads.set(day, read);
    }
    return read;
  };
  const markedFor = async (baseline: string | null, weekly: boolean): Promise<Edition> => {
    const before = baseline === null ? null : await tolerantRead(baseline);
    if (!weekly) return editionSince(edition, before);
    // A weekly reader gets the week: the stories of every edition since their last email, not only today's window.
    const earlier = await Promise.all(daysBetween(before?.edition ?? null, edition.edition).map(tolerantRead));
    return editionSince(mergeEditions(edition, earlier.filter((e): e is Edition => e !== null)), before);
  };
  const mailFor = async (baseline: string | null, preferences: Preferences): Promise<EditionMail | null> => {
    const weekly = preferences.cadence.kind === 'weekly';
    const markedKey = `${baseline ?? ''}\n${weekly}`;
    let since = marked.get(markedKey);
    if (!since) marked.set(markedKey, (since = markedFor(baseline, weekly)));
    const filtered = applyPreferences(await since, preferences);
    if (mailedStories(filtered).length === 0) return null;
    if (filtered === edition) return { edition, content: await publishedContent(store, edition) };
    const r = render()(filtered);
    return { edition: filtered, content: { html: r.html, text: r.emailText, subject: r.subject } };
  };
  return (baseline, preferences = DEFAULT_PREFERENCES) => {
    const key = `${baseline ?? ''}\n${preferences.cadence.kind}\n${preferencesKey(preferences)}`;
    let mail = cache.get(key);
    if (!mail) cache.set(key, (mail = mailFor(baseline, preferences)));
    return mail;
  };
}
