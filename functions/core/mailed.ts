// Which stories an edition's email carries: the new ones, then the developing ones, each group in the
// edition's ranking. Unchanged stories are only counted (the web edition has them): the email never repeats
// what the edition before already said. An edition with nothing to mail is not sent.
import type { Edition } from './edition.ts';

export function mailedStories(edition: Edition): Edition['stories'] {
  return [...edition.stories.filter((s) => s.status === 'new'), ...edition.stories.filter((s) => s.status === 'developing')];
}
