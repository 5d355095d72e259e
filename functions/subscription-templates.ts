// Loads templates/subscriptions/ wherever the templates are: the repo, or beside a Lambda bundle.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SubscriptionTemplateSources } from './core/subscription-pages.ts';

function candidates(explicit?: string): string[] {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return [...(explicit ? [explicit] : []), path.join(here, 'templates'), path.join(here, '..', 'templates'), path.join(process.cwd(), 'templates')];
}

export function loadSubscriptionTemplates(dir?: string): SubscriptionTemplateSources {
  const found = candidates(dir).map((d) => path.join(d, 'subscriptions')).find((d) => existsSync(path.join(d, 'layout.html.hbs')));
  if (!found) throw new Error(`subscription templates not found (looked in ${candidates(dir).join(', ')})`);
  const read = (name: string) => readFileSync(path.join(found, name), 'utf8');
  return {
    layout: read('layout.html.hbs'),
    pages: {
      subscribe: read('subscribe.hbs'), notice: read('notice.hbs'), confirm: read('confirm.hbs'), unsubscribe: read('unsubscribe.hbs'), preferences: read('preferences.hbs'),
    },
    partials: { errors: read('errors.hbs'), 'preference-fields': read('preference-fields.hbs') },
    confirmHtml: read('confirm-email.html.hbs'),
    confirmText: read('confirm-email.txt.hbs'),
  };
}
