// The subscriptions pages and the confirmation email, from the handlebars templates in templates/subscriptions/.
// Every value is escaped by handlebars ({{…}} only, never {{{…}}}); the plain-text email is compiled unescaped.
import Handlebars from 'handlebars';
import { languageName } from './text-format.ts';

export type PageName = 'subscribe' | 'notice' | 'confirm' | 'unsubscribe' | 'preferences';

export interface SubscriptionTemplateSources {
  layout: string;
  pages: Record<PageName, string>;
  partials: Record<string, string>;
  confirmHtml: string;
  confirmText: string;
}

export interface SubscriptionPages {
  page(name: PageName, data: Record<string, unknown> & { heading: string }): string;
  confirmation(data: { title: string; confirmUrl: string }): { html: string; text: string };
}

export function createSubscriptionPages(sources: SubscriptionTemplateSources, title: string): SubscriptionPages {
  const hb = Handlebars.create();
  hb.registerHelper('languageName', languageName);
  for (const [name, src] of Object.entries(sources.partials)) hb.registerPartial(name, src);
  for (const [name, src] of Object.entries(sources.pages)) hb.registerPartial(`page-${name}`, src);
  const layout = hb.compile(sources.layout, { strict: false });
  const confirmHtml = hb.compile(sources.confirmHtml);
  const confirmText = hb.compile(sources.confirmText, { noEscape: true });
  return {
    page: (name, data) => layout({ ...data, title, page: `page-${name}` }),
    confirmation: (data) => ({ html: confirmHtml(data), text: confirmText(data) }),
  };
}
