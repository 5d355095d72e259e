// Edition → HTML, plain text and JSON, through the handlebars templates in templates/ (passed in as strings).
import Handlebars from 'handlebars';
import type { Edition } from './edition.ts';

export interface TemplateSources {
  html: string;
  text: string;
  /** Partials by name, shared by both templates. */
  partials: Record<string, string>;
}

export interface RenderedEdition {
  html: string;
  text: string;
  json: string;
}

const LANGUAGE_NAMES = new Intl.DisplayNames(['en'], { type: 'language' });

/**
 * Wrap plain text at `width` columns, keeping words whole (a word longer than the width, like a URL,
 * gets a line of its own). Leading spaces of the text are kept on the first line; continuation lines
 * get `indent`.
 */
export function wrapText(text: string, width = 72, indent = ''): string {
  const lead = text.match(/^ */)?.[0] ?? '';
  const lines: string[] = [];
  let line = lead;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const empty = line === lead || line === indent;
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else {
      line = empty ? line + word : `${line} ${word}`;
    }
  }
  if (line.trim()) lines.push(line);
  return lines.join('\n');
}

function formatDay(iso: unknown): string {
  if (typeof iso !== 'string') return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(d);
}

/** Only http(s) links reach the output; anything else (javascript:, data:) renders as no link. */
function safeUrl(url: unknown): string | null {
  if (typeof url !== 'string') return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

export function createRenderer(sources: TemplateSources): (edition: Edition) => RenderedEdition {
  const hb = Handlebars.create();
  hb.registerHelper('day', formatDay);
  hb.registerHelper('safeUrl', safeUrl);
  hb.registerHelper('plural', (n: number, one: string, many: string) => (n === 1 ? one : many));
  hb.registerHelper('languageName', (code: unknown) => (typeof code === 'string' ? LANGUAGE_NAMES.of(code) ?? code : ''));
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('ne', (a: unknown, b: unknown) => a !== b);
  hb.registerHelper('add', (a: number, b: number) => a + b);
  // {{#wrap "   "}}…{{/wrap}}: the rendered block as one paragraph wrapped at 72 columns.
  hb.registerHelper('wrap', function (this: unknown, indent: unknown, options: Handlebars.HelperOptions) {
    return wrapText(options.fn(this).replace(/\s*\n\s*/g, ' ').trimEnd(), 72, typeof indent === 'string' ? indent : '');
  });
  hb.registerHelper('joinOutlets', (list: unknown) => (Array.isArray(list) ? list.join(', ') : ''));
  for (const [name, partial] of Object.entries(sources.partials)) hb.registerPartial(name, partial);
  // strict: a typo in a template is an error at render time, not an empty hole in the digest.
  const html = hb.compile(sources.html, { strict: true });
  const text = hb.compile(sources.text, { strict: true, noEscape: true });
  return (edition) => {
    const view = { ...edition, hasStories: edition.stories.length > 0 };
    return {
      html: html(view),
      text: `${text(view).replace(/\n{3,}/g, '\n\n').trim()}\n`,
      json: `${JSON.stringify(edition, null, 2)}\n`,
    };
  };
}
