// Loads the handlebars templates from templates/, wherever they are: the repo, or beside a Lambda bundle.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TemplateSources } from './core/render.ts';

function candidates(explicit?: string): string[] {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return [
    ...(explicit ? [explicit] : []),
    path.join(here, 'templates'), // copied next to the bundled handler
    path.join(here, '..', 'templates'), // repo layout: functions/ → templates/
    path.join(process.cwd(), 'templates'),
  ];
}

export function loadTemplates(dir?: string): TemplateSources {
  const found = candidates(dir).find((d) => existsSync(path.join(d, 'digest.html.hbs')));
  if (!found) throw new Error(`templates not found (looked in ${candidates(dir).join(', ')})`);
  const read = (name: string) => readFileSync(path.join(found, name), 'utf8');
  const partials: Record<string, string> = {};
  const partialDir = path.join(found, 'partials');
  if (existsSync(partialDir)) {
    for (const f of readdirSync(partialDir).sort()) {
      if (f.endsWith('.hbs')) partials[f.replace(/\.hbs$/, '')] = read(path.join('partials', f));
    }
  }
  const story = existsSync(path.join(found, 'story.html.hbs')) ? { story: read('story.html.hbs') } : {};
  return { html: read('digest.html.hbs'), text: read('digest.txt.hbs'), archive: read('archive.html.hbs'), ...story, partials };
}
