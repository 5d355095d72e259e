// A story's page (digests/stories/<id>/index.html) from its stored timeline, through templates/story.html.hbs.
// Pure; links are relative (other stories: ../<id>/, editions: ../../<day>/), so the pages work wherever
// digests/ is served, without JavaScript or external resources.
import type { StoryPage } from './story-page.ts';
import { createHandlebars, type TemplateSources } from './render.ts';

export function createStoryRenderer(sources: TemplateSources): ((page: StoryPage) => string) | null {
  if (!sources.story) return null;
  const page = createHandlebars(sources).compile(sources.story, { strict: true });
  return (story) => {
    // A copy names the article it was collapsed into, wherever on the page that one is listed.
    const byId = new Map(story.timeline.flatMap((e) => e.arrived).map((a) => [a.id, a]));
    const copyOfLabel = (id: string | null) => {
      const head = id === null ? undefined : byId.get(id);
      return head ? `${head.publisher ?? 'an unnamed outlet'}: ${head.title}` : null;
    };
    return page({
      ...story,
      // Newest first, as a reader coming from today's edition wants it.
      timeline: [...story.timeline].reverse().map((e) => ({
        ...e,
        hasArrivals: e.arrived.length > 0,
        arrived: e.arrived.map((a) => ({ ...a, copyOfLabel: copyOfLabel(a.copyOf) })),
      })),
      archiveUrl: '../../index.html',
    });
  };
}
