import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../functions/core/parse/errors.ts';
import { parseText } from '../functions/core/parse/text.ts';
import { dateLine } from '../functions/core/parse/text/dates.ts';
import { byline, copyrightOwner, signOff, wireDateline } from '../functions/core/parse/text/credits.ts';
import { compareKey, isTerminated, normalizeLine, wordCount } from '../functions/core/parse/text/clutter.ts';
import { ParsedArticleSchema } from '../functions/core/schema.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const seedDir = join(root, 'seeds');
const fixture = (name: string) => readFileSync(join(root, 'test', 'fixtures', 'text', name), 'utf8');
function seed(prefix: string): string {
  const file = readdirSync(seedDir).find((f) => f.startsWith(prefix));
  if (!file) throw new Error(`seed ${prefix} missing`);
  return readFileSync(join(seedDir, file), 'utf8');
}
const paragraphs = (text: string) => text.split('\n\n');

const CLUTTER = [
  'Read more at RT', 'See all', 'Newsletter', 'Sign up', '©', 'All Rights Reserved', 'Source: Getty',
  'Photographed from TV screen', 'Related tags', 'Recommended reading', 'advertisement', '2 min read',
  'Trump wants a deal. Putin wants victory', 'A white pill', 'VOCO provides you',
];

describe('parseText on the seed articles', () => {
  const cases = [
    {
      seed: '000', title: 'White House announces Witkoff expecting meeting with Putin', publisher: 'MENAFN', date: '2025-04-23',
      first: 'Steve Witkoff, U.S. President Donald Trump’s special envoy, is set to travel to Russia',
      last: 'Moscow has also demanded that Ukraine recognize not only Crimea',
    },
    {
      seed: '001', title: 'Witkoff Anticipates Meeting with Putin, Says White House', publisher: 'TROIB News', date: null,
      first: 'According to the White House, US President Donald Trump’s special envoy, Steve Witkoff, will journey to Russia',
      last: 'Additionally, Moscow has insisted that Kiev acknowledge not only Crimea',
    },
    {
      seed: '002', title: 'Witkoff May Head to Russia Following Ukraine Talks in London This Week, WSJ Reports', publisher: null, date: null,
      first: 'Steve Witkoff, the US President’s Special Envoy for Middle East Affairs, may travel to Russia',
      last: 'He also suggested Ukraine may care less about certain regions if they are Russian-speaking.',
    },
    {
      seed: '003', title: 'Trump\'s envoy discussed ceasefire with Putin this week. Putin reportedly proposed "ceasefire on the current front"',
      publisher: /VOCO/, date: null,
      first: 'White House spokeswoman Karoline Leavitt confirmed on Tuesday (April 4)',
      last: 'Previously, Washington had announced that if no substantial progress was made within a few days',
    },
    {
      seed: '004', title: null, publisher: 'RT', date: '2025-04-23',
      first: 'US President Donald Trump’s special envoy, Steve Witkoff, will visit Russia later this week, Moscow has confirmed.',
      last: 'Moscow has accused Zelensky of seeking a war “to the last Ukrainian.”',
    },
  ] as const;

  for (const c of cases) {
    describe(`seed ${c.seed}`, () => {
      const article = parseText(seed(c.seed));
      const paras = paragraphs(article.text);

      it('is a valid ParsedArticle with language left to the dispatcher', () => {
        expect(ParsedArticleSchema.safeParse(article).success).toBe(true);
        expect(article.language).toBeNull();
      });
      if (c.title !== null) it('has the exact headline', () => expect(article.title).toBe(c.title));
      it('credits only the publisher the text names', () => {
        if (c.publisher instanceof RegExp) expect(article.publisher).toMatch(c.publisher);
        else expect(article.publisher).toBe(c.publisher);
      });
      it('dates only from date lines', () => {
        expect(article.publishedAt?.slice(0, 10) ?? null).toBe(c.date);
      });
      it('keeps the first and last real paragraphs', () => {
        expect(paras[0]).toContain(c.first);
        expect(paras[paras.length - 1]).toContain(c.last);
      });
      it('drops the clutter', () => {
        for (const s of CLUTTER) expect(article.text, s).not.toContain(s);
      });
      it('has clean whitespace and no repeated headline', () => {
        expect(article.text).not.toMatch(/ {2}|\u00a0|\n{3}|^\s|\s$/);
        for (const p of paras) expect(p).not.toBe(article.title);
      });
    });
  }

  it('000: strips the (MENAFN) dateline credit from the first paragraph', () => {
    expect(parseText(seed('000')).text.startsWith('Steve Witkoff')).toBe(true);
  });
  it('001: takes the author from the sign-off and drops the truncated teaser', () => {
    const a = parseText(seed('001'));
    expect(a.author).toBe('James del Carmen');
    expect(a.text).not.toContain('James del Carmen');
    expect(a.text).not.toContain('President...');
    expect(a.text).not.toContain('reportedly set to miss a meeting');
  });
  it('002: keeps a quote paragraph without final punctuation, drops the caption', () => {
    const a = parseText(seed('002'));
    expect(paragraphs(a.text)).toContain('"NATO isn’t on the table,” said US Special Envoy to Ukraine Keith Kellogg in an interview with Fox News on April 20');
    expect(a.text).not.toContain('arrives for a meeting with the French President');
    expect(a.author).toBeNull();
  });
  it('003: drops the photo caption under the headline and the site self-description', () => {
    const a = parseText(seed('003'));
    expect(a.text).not.toContain('Steve Witkoff, Special Envoy for the Middle East and Eastern Europe, and Russian President');
    expect(a.text).not.toContain('VOCO News brings');
  });
  it('004: drops the related-article card (caption + teaser headline) in the middle', () => {
    const a = parseText(seed('004'));
    expect(a.text).not.toContain('A Russian serviceman of the Akhmat special forces');
    expect(a.text).toContain('The US president previously touted a possible breakthrough this week');
    expect(a.title).toContain('Steve Witkoff will arrive in Moscow');
  });
});

describe('parseText on small fixtures', () => {
  it('reads a "By Jane Doe | date" byline and drops navigation and related links', () => {
    const a = parseText(fixture('byline.txt'));
    expect(a.title).toBe('City council approves new flood defences after week of heavy rain');
    expect(a.author).toBe('Jane Doe');
    expect(a.publisher).toBeNull();
    expect(a.publishedAt).toBe('2025-04-23T00:00:00.000Z');
    expect(paragraphs(a.text)).toHaveLength(4);
    expect(a.text).not.toMatch(/Jane Doe|min read|Share this|Related articles|Residents clean up|Council delays/);
  });

  it('dates from an "April 23, 2025" line and skips header labels', () => {
    const a = parseText(fixture('date-line.txt'));
    expect(a.title).toBe('Library extends opening hours for exam season');
    expect(a.publishedAt).toBe('2025-04-23T00:00:00.000Z');
    expect(a.text.startsWith('The central library will stay open')).toBe(true);
  });

  it('credits a "(Reuters) -" wire dateline and a Reuters-style reporting line', () => {
    const a = parseText(fixture('reuters.txt'));
    expect(a.publisher).toBe('Reuters');
    expect(a.author).toBe('John Smith');
    expect(a.text).not.toContain('(Reuters)');
    expect(a.text).not.toContain('Editing by');
    expect(a.text).toContain('Oil prices held steady on Wednesday');
  });

  it('credits the owner of a "Copyright 2024 Some Outlet" line and drops it', () => {
    const a = parseText(fixture('copyright.txt'));
    expect(a.publisher).toBe('Some Outlet');
    expect(a.text).not.toMatch(/copyright/i);
    expect(paragraphs(a.text)).toHaveLength(3);
  });

  it('keeps every paragraph of a scraped page while dropping in-article ads, teasers and the footer', () => {
    const a = parseText(fixture('scraped-page.txt'));
    expect(a.title).toBe('Parliament passes budget after marathon session');
    expect(a.author).toBe('Anna Kowalska and Tom Brown');
    expect(a.publisher).toMatch(/^Example Times/);
    const paras = paragraphs(a.text);
    expect(paras).toHaveLength(6);
    expect(paras[0]).toMatch(/^Lawmakers approved the annual budget/);
    expect(paras[5]).toBe('Ministers hope to sign it into law before the end of the month.');
    expect(a.text).not.toMatch(/Advertisement|Related:|Read more:|Tags:|Share this|Most read|Storm closes|Copyright|Published 3 hours/);
  });

  it('takes a file of one finished sentence as a news brief, title and body at once', () => {
    const brief = parseText('The parliament election is over in Turkmenistan.\n');
    expect(brief.title).toBe('The parliament election is over in Turkmenistan.');
    expect(brief.text).toBe('The parliament election is over in Turkmenistan.');
    expect(() => parseText('Election over.\n')).toThrow(ParseError); // too short to be news
  });

  it('throws ParseError for a file that is only a headline', () => {
    expect(() => parseText(fixture('title-only.txt'))).toThrow(ParseError);
    expect(() => parseText('')).toThrow(ParseError);
    expect(() => parseText('\n\n   \nAdvertisement\nSee all\n')).toThrow(ParseError);
  });

  it('keeps a long lede sentence standing alone as both title and body', () => {
    const lede = 'The regional government on Thursday approved a plan to rebuild the old harbour wall, which was badly damaged by storms two winters ago, officials said.';
    const a = parseText(`${lede}\n\n`);
    expect(a.title).toBe(lede);
    expect(a.text).toBe(lede);
  });

  it('reads an ECB-style file: one sentence per paragraph, "Posted:" line as the date', () => {
    const a = parseText(fixture('ecb-like.txt'));
    expect(a.title).toBe('Firefighters battle warehouse blaze overnight');
    expect(a.publishedAt?.slice(0, 10)).toBe('2013-03-08');
    expect(paragraphs(a.text)).toEqual([
      'A fire destroyed a warehouse on the edge of town overnight, officials said.',
      'No one was injured.',
      'Crews from three stations fought the flames for more than four hours.',
      'The cause of the fire is under investigation.',
    ]);
  });

  it('joins hard-wrapped lines back into paragraphs', () => {
    const a = parseText(fixture('wrapped.txt'));
    const paras = paragraphs(a.text);
    expect(paras).toHaveLength(3);
    expect(paras[0]).toContain('for a new ferry terminal, promising faster boarding');
  });

  it('keeps a long sentence title in the body of corpus-style files', () => {
    const title = 'Authorities have released the name of a 66-year-old woman who was walking outside a store when she was struck and killed by a motorist.';
    const a = parseText(`${title}\n\nPolice identified the victim on Thursday.\nShe was walking in a crosswalk.\n`);
    expect(a.title).toBe(title);
    expect(paragraphs(a.text)[0]).toBe(title);
  });

  it('normalizes whitespace but keeps typographic quotes', () => {
    const a = parseText('Mayor\u00a0 speaks   out\r\n\r\n“It’s  time,”\tshe said —\u00a0loudly.\r\nNothing\u200b else.\r\n');
    expect(a.title).toBe('Mayor speaks out');
    expect(a.text).toBe('“It’s time,” she said — loudly.\n\nNothing else.');
  });
});

describe('text helpers', () => {
  it('dateLine accepts date stamps and rejects sentences and partial dates', () => {
    expect(dateLine(' date 2025-04-23 403')).toBe('2025-04-23T00:00:00.000Z');
    expect(dateLine('Wed. Apr 23rd, 2025')).toBe('2025-04-23T00:00:00.000Z');
    expect(dateLine('Posted: Friday, March 8, 2013 2:39 pm')).toBe('2013-03-08T14:39:00.000Z');
    expect(dateLine('Updated: July 7, 2012, 10:04 PM ET')?.slice(0, 10)).toBe('2012-07-07');
    expect(dateLine('2013-09-26')).toBe('2013-09-26T00:00:00.000Z');
    expect(dateLine('White House spokeswoman Karoline Leavitt confirmed on Tuesday (April 4) that the envoy left.')).toBeNull();
    expect(dateLine('Reid checked herself in on Tuesday, December 9, 2008, her spokesman said.')).toBeNull();
    expect(dateLine('Jul. 7 5:59 PM EDT')).toBeNull();
    expect(dateLine('Hansbrough now has 2,301.')).toBeNull();
  });

  it('credit patterns are general, not tied to one outlet', () => {
    expect(wireDateline('(AP) — The storm hit at dawn.')).toEqual({ publisher: 'AP', rest: 'The storm hit at dawn.' });
    expect(wireDateline('(Photo) The storm hit at dawn.')).toBeNull();
    expect(signOff('Maria de la Cruz for Example Daily')).toEqual({ author: 'Maria de la Cruz', publisher: 'Example Daily' });
    expect(signOff('Vote for the Greens')).toBeNull();
    expect(byline('By the end of the day, most roads were closed.')).toBeNull();
    expect(byline('By Jane Doe and John Roe')?.author).toBe('Jane Doe and John Roe');
    expect(copyrightOwner('© 2022 VOCO Media – All Rights Reserved.')).toBe('VOCO Media');
    expect(copyrightOwner('Copyright © 2019 Getty Images')).toBeNull();
  });
});

describe('wordCount', () => {
  it('counts what /[\\p{L}\\p{N}]+/gu matches, on every kind of character', () => {
    // Letters and digits of several scripts, astral letters and digits, emoji, combining marks, punctuation,
    // spaces, and lone surrogates of both halves.
    const units = ['a', 'Z', '0', '9', ' ', '-', "'", '.', 'é', 'ß', 'İ', 'ж', '中', '文', 'ا', '٣', '५', '\u0301', '\u00A0', '\u2009',
      '𝐀', '𝟘', '😀', '𠀀', '\uD835', '\uDC00', '_', '\n', '²', 'Ⅻ', '〇', 'ﬁ'];
    let seed = 3;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    let differing = 0;
    for (let n = 0; n < 3000; n++) {
      let text = '';
      const length = Math.floor(rnd() * 40);
      for (let i = 0; i < length; i++) text += units[Math.floor(rnd() * units.length)]!;
      if (wordCount(text) !== (text.match(/[\p{L}\p{N}]+/gu)?.length ?? 0)) differing++;
    }
    expect(differing).toBe(0);
    expect(wordCount('Le maire a dit 2 fois: « non » — 𝐀𝐁 😀 x')).toBe(9);
  });
});

describe('line keys read every UTF-16 unit as their regexes do', () => {
  const units = Array.from({ length: 0x10000 }, (_, c) => String.fromCharCode(c));
  it('normalizeLine collapses and trims whitespace as a replace of every run would', () => {
    const slow = (line: string) => line.normalize('NFC').replace(/[\u200B-\u200D\u2060\uFEFF\u00AD]/g, '').replace(/\s+/g, ' ').trim();
    const differing = units.filter((u) => [`a${u}b`, `a${u}${u}b c`, `${u}a `, `a ${u}`].some((t) => normalizeLine(t) !== slow(t)));
    expect(differing).toEqual([]);
  });
  it('compareKey joins the runs of letters and digits', () => {
    const slow = (text: string) => text.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
    const texts = ['', ' ', 'a b', ' a b ', 'a  b', 'a, b.', '“Quote” — it’s ﬁne', 'İSTANBUL ΟΔΟΣ', '𝐀𝐁 𠀀x \ud800y', '１２３ ＡＢＣ'];
    const differing = [...texts, ...units.map((u) => `ab${u}cd ${u}`)].filter((t) => compareKey(t) !== slow(t));
    expect(differing).toEqual([]);
  });
  it('isTerminated reads the sentence end as its regex does', () => {
    const slow = (line: string) => /[.!?…]["'”’»)\]]*$/.test(line);
    const ends = ['', '.', 'a.', 'a."', 'a.”)]', 'a"', 'a...', 'a…»', 'a?\'', 'a!)x', '"', ')'];
    const differing = [...ends, ...units.map((u) => `a${u}`), ...units.map((u) => `a.${u}`)].filter((t) => isTerminated(t) !== slow(t));
    expect(differing).toEqual([]);
  });
});
