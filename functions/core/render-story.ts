// A story's page (digests/stories/<id>/index.html) from its stored timeline, through templates/story.html.hbs.
// Pure; links are relative (other stories: ../<id>/, editions: ../../<day>/), so the pages work wherever
// digests/ is served, without JavaScript or external resources.
import type { StoryPage } from './story-page.ts';
import { createHandlebars, type TemplateSources } from './render.ts';

export function createStoryRenderer(sources: TemplateSources): ((page: StoryPage) => string) | null {
  if (!sources.story) return null;
  const page = createHandlebars(sources).compile(sources.story, { strict: true });
  return (story) =>
    page({
      ...story,
      // Newest first, as a reader coming from today's edition wants it.
      timeline: [...story.timeline].reverse().map((e) => ({ ...e, hasArrivals: e.arrived.length > 0 })),
      archiveUrl: '../../index.html',
    });
}
