// Publish the story pages an edition changes (digests/stories/<id>/index.json and index.html): read each
// changed story's stored page, put this edition's entry in place, and write only what differs. Unchanged
// stories are not touched; a rebuild of the same day with the same inputs writes nothing.
import type { Edition } from '../core/edition.ts';
import type { ObjectStore } from '../core/ports.ts';
import type { ArticleRecord } from '../core/schema.ts';
import { StoryPageSchema, changedStories, nextStoryPage, type StoryChange, type StoryPage } from '../core/story-page.ts';
import { PREFIX } from '../triggers.ts';

export const STORIES_PREFIX = `${PREFIX.digests}stories/`;
/** Story ids as continuity gives them: safe as a key segment and in a relative link. */
const STORY_ID = /^s_[0-9a-z_]{1,64}$/;

export function storyKey(id: string, part: 'json' | 'page'): string {
  return `${STORIES_PREFIX}${id}/index.${part === 'json' ? 'json' : 'html'}`;
}

async function readStoryPage(store: ObjectStore, id: string, log?: (entry: Record<string, unknown>) => void): Promise<{ page: StoryPage; text: string } | null> {
  const obj = await store.get(storyKey(id, 'json'));
  if (!obj) return null;
  const text = new TextDecoder().decode(obj.body);
  try {
    return { page: StoryPageSchema.parse(JSON.parse(text)), text };
  } catch (e) {
    log?.({ level: 'warn', msg: 'story page unreadable: starting it afresh', story: id, error: String(e) });
    return null;
  }
}

export interface StoryPagesDeps {
  store: ObjectStore;
  render: (page: StoryPage) => string;
  log?: ((entry: Record<string, unknown>) => void) | undefined;
}

/** Write the pages `edition` changes (the JSON, then the HTML page); the keys written. */
export async function publishStoryPages(deps: StoryPagesDeps, edition: Edition, records: readonly ArticleRecord[]): Promise<string[]> {
  const facts = new Map(records.map((r) => [r.id, { title: r.title, receivedAt: r.source.receivedAt }]));
  const changes = changedStories(edition).filter((c) => STORY_ID.test(c.id) && (c.mergedInto === null || STORY_ID.test(c.mergedInto)));
  const publish = async (change: StoryChange): Promise<string[]> => {
    const stored = await readStoryPage(deps.store, change.id, deps.log);
    let page: StoryPage;
    try {
      page = nextStoryPage(edition, change, stored?.page ?? null, facts);
    } catch (e) {
      // A story whose links cannot be made safe (an id of another shape) keeps its old page; the edition goes on.
      deps.log?.({ level: 'warn', msg: 'story page skipped', story: change.id, error: String(e) });
      return [];
    }
    const text = `${JSON.stringify(page, null, 2)}\n`;
    if (stored?.text === text) return [];
    // The HTML first: the JSON is what a retry compares, so it is written once the page it describes is.
    await deps.store.put(storyKey(change.id, 'page'), deps.render(page), 'text/html; charset=utf-8');
    await deps.store.put(storyKey(change.id, 'json'), text, 'application/json');
    return [storyKey(change.id, 'page'), storyKey(change.id, 'json')];
  };
  const written: string[] = [];
  for (let i = 0; i < changes.length; i += 16) written.push(...(await Promise.all(changes.slice(i, i + 16).map(publish))).flat());
  return written;
}
