// Edition → email HTML (CSS inlined, clipped under Gmail's limit), web page, plain text, JSON and the
// archive index, through the handlebars templates in templates/ (passed in as strings). Pure: no I/O, no clock.
import Handlebars from 'handlebars';
// juice's client build: inlines the template's own <style> without the resource fetcher (half of juice's load time).
import juice from 'juice/client.js';
import type { Edition } from './edition.ts';
import { mailedStories } from './mailed.ts';
import { editionPreheader, editionSubject, formatDay, formatLongDay, formatWhen, languageName, oneLine, publicUrl, safeUrl, statusLine, wrapText } from './text-format.ts';

export interface TemplateSources {
  /** The edition as HTML: the email (inlined, maybe clipped) and the web page share it. */
  html: string;
  text: string;
  /** The web archive's index page. */
  archive: string;
  /** A story's page (digests/stories/<id>/index.html); without it no story pages are written. */
  story?: string;
  /** Partials by name, shared by every template. */
  partials: Record<string, string>;
}

export interface RenderedEdition {
  /** Email-safe HTML: table layout, CSS inlined, under `maxEmailBytes` (top stories only when larger). */
  html: string;
  /** The whole edition as plain text (digest.txt). */
  text: string;
  /** The email's plain-text alternative: the same stories as `html`, then how many more the edition has. */
  emailText: string;
  json: string;
  /** The edition's web page (digests/<day>/index.html): every story, links to its neighbours and the archive. */
  page: string;
  /** One line, no control characters: safe for the Subject header. */
  subject: string;
  /** The inbox preview line. */
  preheader: string;
  /** Stories carried by the email: the new and developing ones (see mailedStories), all of them unless clipped. */
  emailStories: number;
}

export interface RenderOptions {
  /**
   * Public URL where the bucket's `digests/` prefix is served (e.g. `https://news.example.com/digests/`).
   * The email links to the full edition there; without it the link is omitted.
   */
  publicBaseUrl?: string | null | undefined;
  /** Email HTML budget in UTF-8 bytes. Gmail clips messages whose HTML exceeds 102 KB. */
  maxEmailBytes?: number | undefined;
}

export interface EditionNeighbours {
  prev?: string | null | undefined;
  next?: string | null | undefined;
}

/** One line of the archive index, kept in digests/archive.json so the index never re-reads every edition. */
export interface ArchiveEntry {
  edition: string;
  title: string;
  stories: number;
  articles: number;
  outlets: number;
  headline: string | null;
}

/** Under Gmail's 102 KB clipping threshold with room for the MIME transfer encoding. */
export const DEFAULT_MAX_EMAIL_BYTES = 96_000;

function utf8Bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** CSS inlined; indentation dropped (a newline still separates what it separated: rendering is unchanged). */
function inline(html: string): string {
  return juice(html.replace(/\n[ \t]+/g, '\n').replace(/\n{2,}/g, '\n'), {
    preserveMediaQueries: true,
    preserveFontFaces: false,
    removeStyleTags: true,
    applyWidthAttributes: true,
    applyHeightAttributes: false,
    applyAttributesTableElements: true,
    insertPreservedExtraCss: true,
    inlinePseudoElements: false,
    xmlMode: false,
  });
}

export function createHandlebars(sources: TemplateSources): typeof Handlebars {
  const hb = Handlebars.create();
  hb.registerHelper('day', formatDay);
  hb.registerHelper('longDay', formatLongDay);
  hb.registerHelper('when', formatWhen);
  hb.registerHelper('safeUrl', safeUrl);
  hb.registerHelper('plural', (n: number, one: string, many: string) => (n === 1 ? one : many));
  hb.registerHelper('languageName', languageName);
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('ne', (a: unknown, b: unknown) => a !== b);
  hb.registerHelper('and', (a: unknown, b: unknown) => Boolean(a) && Boolean(b));
  hb.registerHelper('or', (a: unknown, b: unknown) => Boolean(a) || Boolean(b));
  hb.registerHelper('add', (a: number, b: number) => a + b);
  hb.registerHelper('sub', (a: number, b: number) => a - b);
  hb.registerHelper('oneLine', (s: unknown) => (typeof s === 'string' ? oneLine(s, 1_000) : ''));
  // {{#wrap "   "}}…{{/wrap}}: the rendered block as one paragraph wrapped at 72 columns.
  hb.registerHelper('wrap', function (this: unknown, indent: unknown, options: Handlebars.HelperOptions) {
    return wrapText(options.fn(this).replace(/\s*\n\s*/g, ' ').trimEnd(), 72, typeof indent === 'string' ? indent : '');
  });
  hb.registerHelper('statusLine', (story: Edition['stories'][number]) => statusLine(story));
  hb.registerHelper('joinOutlets', (list: unknown) => (Array.isArray(list) ? list.join(', ') : ''));
  for (const [name, partial] of Object.entries(sources.partials)) hb.registerPartial(name, partial);
  return hb;
}

interface HtmlView {
  mode: 'email' | 'web';
  web: boolean;
  stories: Edition['stories'];
  hasStories: boolean;
  preheader: string;
  /** Stories left out of the email; the full edition link follows them. */
  omitted: number;
  /** Unchanged stories, only counted in the email (the web page shows them). */
  unchanged: number;
  fullEditionUrl: string | null;
  archiveUrl: string | null;
  prev: string | null;
  next: string | null;
  prevUrl: string | null;
  nextUrl: string | null;
  /** Where story pages are (`<storyBase><id>/index.html`); null: not linked. */
  storyBase: string | null;
}

export function createRenderer(
  sources: TemplateSources,
  options: RenderOptions = {},
): (edition: Edition, neighbours?: EditionNeighbours) => RenderedEdition {
  const hb = createHandlebars(sources);
  // strict: a typo in a template is an error at render time, not an empty hole in the digest.
  const html = hb.compile(sources.html, { strict: true });
  const text = hb.compile(sources.text, { strict: true, noEscape: true });
  const maxEmailBytes = options.maxEmailBytes ?? DEFAULT_MAX_EMAIL_BYTES;

  return (edition, neighbours = {}) => {
    const preheader = editionPreheader(edition);
    const fullEditionUrl = publicUrl(options.publicBaseUrl, `${edition.edition}/index.html`);
    const base = { ...edition, hasStories: edition.stories.length > 0, preheader };
    const prev = neighbours.prev ?? null;
    const next = neighbours.next ?? null;
    const webView: HtmlView = {
      mode: 'web',
      web: true,
      stories: edition.stories,
      hasStories: edition.stories.length > 0,
      preheader,
      omitted: 0,
      unchanged: 0,
      fullEditionUrl: null,
      archiveUrl: '../index.html',
      prev,
      next,
      prevUrl: prev ? `../${prev}/index.html` : null,
      nextUrl: next ? `../${next}/index.html` : null,
      // Story pages exist only where their template does (the digest writes them with it).
      storyBase: sources.story ? '../stories/' : null,
    };
    // The email: new stories, then developing ones; unchanged ones only counted.
    const mailed = mailedStories(edition);
    const unchanged = edition.stories.length - mailed.length;
    const emailView = (count: number): HtmlView => ({
      ...webView,
      mode: 'email',
      web: false,
      stories: mailed.slice(0, count),
      hasStories: mailed.length > 0,
      omitted: mailed.length - count,
      unchanged,
      fullEditionUrl,
      archiveUrl: publicUrl(options.publicBaseUrl, 'index.html'),
      prev: null,
      next: null,
      prevUrl: null,
      nextUrl: null,
      storyBase: sources.story ? publicUrl(options.publicBaseUrl, 'stories/') : null,
    });
    // Raw email HTML by story count: the search below asks for some counts more than once.
    const raws = new Map<number, string>();
    const raw = (count: number) => {
      let r = raws.get(count);
      if (r === undefined) raws.set(count, (r = html({ ...base, ...emailView(count) })));
      return r;
    };
    const rawBytes = (count: number) => utf8Bytes(raw(count));
    const email = (count: number) => inline(raw(count));

    // The email: every mailed story when it fits, else as many top ones as fit, then the link to the rest.
    const total = mailed.length;
    let count = total;
    let mail = '';
    if (total > 0) {
      // Inlining only grows the HTML, so the first count whose raw HTML is over budget is over it inlined too.
      // The searches render prefixes about the budget's size, never the whole edition.
      let hi = largestFitting(0, total + 1, (c) => rawBytes(c) <= maxEmailBytes) + 1;
      let lo = 0; // the most stories known to fit inlined (0: none yet)
      let fitting = ''; // the email of `lo` stories, or of the top story alone while none fits
      let c = Math.max(1, hi - 1);
      let previous: { raw: number; inlined: number } | null = null;
      for (;;) {
        const inlined = email(c);
        const point = { raw: rawBytes(c), inlined: utf8Bytes(inlined) };
        if (point.inlined <= maxEmailBytes) {
          lo = c;
          fitting = inlined;
        } else {
          hi = c;
          if (c === 1) fitting = inlined; // over budget, but what goes when nothing fits
        }
        if (hi - lo <= 1) break;
        // The raw size whose inlined size meets the budget, on the line through the last two tries (through
        // zero after the first): inlining adds a near-constant share, so a try or two lands on the answer.
        const slope = previous && previous.raw !== point.raw ? (point.inlined - previous.inlined) / (point.raw - previous.raw) : point.inlined / point.raw;
        const rawBudget = point.raw + (maxEmailBytes - point.inlined) / slope;
        previous = point;
        c = Math.max(lo + 1, largestFitting(lo, hi, (k) => rawBytes(k) <= rawBudget));
      }
      // Not even the top story fits: it goes alone, with the link to the rest.
      count = Math.max(1, lo);
      mail = fitting;
    } else {
      mail = email(0);
    }
    raws.clear(); // the probes (up to a few MB under a large budget) are not kept through the page and text renders

    // Plain text has no relative links: story pages are named only where the public URL is known.
    const storyBase = sources.story ? publicUrl(options.publicBaseUrl, 'stories/') : null;
    const plain = (stories: Edition['stories'], view: { hasStories: boolean; omitted: number; unchanged: number }) =>
      `${text({ ...base, ...view, stories, fullEditionUrl, storyBase }).replace(/\n{3,}/g, '\n\n').trim()}\n`;
    const full = plain(edition.stories, { hasStories: edition.stories.length > 0, omitted: 0, unchanged: 0 });
    // The email's text part is the whole text when the email carries every story, in the edition's order.
    const whole = count === edition.stories.length && mailed.every((st, i) => st === edition.stories[i]);
    return {
      html: mail,
      page: html({ ...base, ...webView }),
      text: full,
      emailText: whole ? full : plain(mailed.slice(0, count), { hasStories: mailed.length > 0, omitted: mailed.length - count, unchanged }),
      json: `${JSON.stringify(edition, null, 2)}\n`,
      subject: editionSubject(edition),
      preheader,
      emailStories: count,
    };
  };
}

/**
 * The largest count in lo..hi-1 for which `fits` holds (lo when none does), where it holds for every count up
 * to some point and for none past it; `lo` is taken to fit and `hi` not to. Steps up by doubling strides from
 * lo, then bisects: no try is much past the answer, however large hi is.
 */
export function largestFitting(lo: number, hi: number, fits: (count: number) => boolean): number {
  for (let stride = 8; hi - lo > 1; stride *= 2) {
    const c = Math.min(hi - 1, lo + stride);
    if (!fits(c)) {
      hi = c;
      break;
    }
    lo = c;
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** The archive index (digests/index.html): every edition, newest first, each linking to its page. */
export function createArchiveRenderer(sources: TemplateSources): (title: string, editions: ArchiveEntry[]) => string {
  const hb = createHandlebars(sources);
  const page = hb.compile(sources.archive, { strict: true });
  return (title, editions) => {
    const sorted = [...editions].sort((a, b) => b.edition.localeCompare(a.edition));
    return page({ title, editions: sorted, hasEditions: sorted.length > 0, latest: sorted[0]?.edition ?? null });
  };
}
