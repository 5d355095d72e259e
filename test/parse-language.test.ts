import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { franc, francAll } from 'franc-min';
import { expressions } from 'franc-min/expressions.js';
import { detectLanguage, francCode, francScores } from '../functions/core/parse/language.ts';
import { parseFile } from '../functions/core/parse/index.ts';

// A few sentences of news copy per language (written for this test), as an article body would read.
const SAMPLES: Record<string, string> = {
  en: 'The mayor said on Tuesday that the new bridge over the river would open next spring, two years later than planned, after the city council approved another budget increase for the project.',
  fr: 'Le maire a annoncé mardi que le nouveau pont sur le fleuve ouvrirait au printemps prochain, avec deux ans de retard, après que le conseil municipal a voté une nouvelle hausse du budget du chantier.',
  de: 'Der Bürgermeister sagte am Dienstag, die neue Brücke über den Fluss werde im nächsten Frühjahr eröffnet, zwei Jahre später als geplant, nachdem der Stadtrat das Budget erneut erhöht hatte.',
  es: 'El alcalde dijo el martes que el nuevo puente sobre el río abrirá la próxima primavera, dos años más tarde de lo previsto, después de que el ayuntamiento aprobara otro aumento del presupuesto.',
  it: "Il sindaco ha detto martedì che il nuovo ponte sul fiume aprirà la prossima primavera, con due anni di ritardo, dopo che il consiglio comunale ha approvato un altro aumento del bilancio dell'opera.",
  pt: 'O prefeito disse na terça-feira que a nova ponte sobre o rio será aberta na próxima primavera, dois anos depois do previsto, depois que a câmara municipal aprovou outro aumento do orçamento.',
  ru: 'Мэр заявил во вторник, что новый мост через реку откроется следующей весной, на два года позже запланированного, после того как городской совет снова увеличил бюджет проекта.',
  zh: '市长周二表示，这座跨河新桥将于明年春天通车，比原计划晚了两年。此前市议会再次批准增加该项目的预算，许多居民对此表示不满。',
  ar: 'قال رئيس البلدية يوم الثلاثاء إن الجسر الجديد فوق النهر سيفتتح في الربيع المقبل، بعد عامين من الموعد المخطط له، بعد أن وافق المجلس البلدي على زيادة أخرى في ميزانية المشروع.',
};

describe('detectLanguage', () => {
  for (const [code, text] of Object.entries(SAMPLES)) {
    it(`reads ${code}`, () => expect(detectLanguage(text)).toBe(code));
  }

  it('gives null when the text is too short to tell', () => {
    expect(detectLanguage('Breaking news')).toBeNull();
    expect(detectLanguage('')).toBeNull();
  });

  it('answers in ISO 639-1 or not at all', () => {
    for (const text of [...Object.values(SAMPLES), '1 2 3 4 5 6 7 8 9 10 11 12', '— — — — — — — — — — — —']) {
      const code = detectLanguage(text);
      expect(code === null || /^[a-z]{2}$/.test(code), String(code)).toBe(true);
    }
  });

  it('is what a parsed article without a stated language carries, and a stated one wins', () => {
    const bytes = (s: string) => new TextEncoder().encode(s);
    const plain = parseFile('a.txt', bytes(`Nouveau pont\n\n${SAMPLES.fr}\n\n${SAMPLES.fr}`));
    expect(plain.articles[0]?.article.language).toBe('fr');
    const html = `<html lang="de"><head><title>Neue Brücke</title></head><body><article><h1>Neue Brücke</h1><p>${SAMPLES.de}</p><p>${SAMPLES.de}</p></article></body></html>`;
    expect(parseFile('a.html', bytes(html)).articles[0]?.article.language).toBe('de');
  });
});

describe('francCode and francScores', () => {
  it('answers exactly what franc answers, on every sample, slice, mix and script', () => {
    const texts = Object.values(SAMPLES);
    const cases: string[] = [...texts, '', 'short', '1234567890 1234567890 1234567890 12345', '— — — — — — — — — — — — — — — —'];
    // Deterministic slices of every length class, joins of two languages, case changes and scripts with one language.
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let i = 0; i < 400; i++) {
      const a = texts[Math.floor(rnd() * texts.length)]!;
      const b = texts[Math.floor(rnd() * texts.length)]!;
      const from = Math.floor(rnd() * a.length);
      const mixed = `${a.slice(from, from + 20 + Math.floor(rnd() * 200))} ${b.slice(0, Math.floor(rnd() * b.length))}`;
      cases.push(mixed, mixed.toUpperCase(), mixed.repeat(1 + Math.floor(rnd() * 20)));
    }
    cases.push(
      'Ο δήμαρχος είπε την Τρίτη ότι η νέα γέφυρα θα ανοίξει την επόμενη άνοιξη, δύο χρόνια αργότερα.',
      'สวัสดีครับ วันนี้อากาศดีมาก เราจะไปเที่ยวทะเลกันไหม ที่นั่นสวยมาก',
      'これは日本語の文章です。ひらがなとカタカナが含まれています。テストのための文章です。',
      '서울시는 화요일 새 다리가 내년 봄에 개통될 것이라고 밝혔다. 계획보다 2년 늦어졌다.',
      // Σ, whose lower case depends on what follows, in copy of another script; İ, which lower-cases to two units.
      `${SAMPLES.ru!} ΟΔΟΣ. ΑΣ.Α ΚΟΣΜΟΣ'Σ ΣΣ`,
      `${SAMPLES.en!.toUpperCase()} İSTANBUL İZMİR`,
      'İstanbul İzmir '.repeat(150),
      // Surrogate pairs (emoji, CJK and Latin beyond the BMP) and lone surrogates.
      `${SAMPLES.en!} 🎉🎉 👍🏽 \ud800 \udc00x \ud83c`,
      '𠀀𠀁𠀂𠀃 𠀄𠀅 𐞀𐞁𐞂 🈀🈀 '.repeat(20),
      // Whitespace beyond ASCII, and characters that look like it but are not.
      SAMPLES.fr!.replace(/ /g, '\u3000'),
      SAMPLES.de!.replace(/ /g, '\ufeff'),
      SAMPLES.es!.replace(/ /g, '\u0085'),
      SAMPLES.it!.replace(/ /g, '\u200b'),
    );
    let differing = 0;
    for (const text of cases) {
      for (const minLength of [10, 30]) {
        if (francCode(text, minLength) !== franc(text, { minLength })) differing++;
        // Every profile's score and place, not only the winner's.
        if (JSON.stringify(francScores(text, minLength)) !== JSON.stringify(francAll(text, { minLength }))) differing++;
      }
    }
    expect(differing).toBe(0);
    expect(new Set(cases.map((t) => francCode(t, 30))).size).toBeGreaterThan(8); // the cases reach many profiles
  });

  it('reads every UTF-16 unit as franc does, inside words and in runs', () => {
    let differing = 0;
    for (let from = 0; from < 0x10000; from += 256) {
      const units = Array.from({ length: 256 }, (_, i) => String.fromCharCode(from + i));
      // Between Latin letters: whether it separates words, and how it lower-cases. In a run: its script.
      for (const text of [units.map((u) => `ab${u}cd `).join(''), units.join('')]) {
        if (JSON.stringify(francScores(text, 10)) !== JSON.stringify(francAll(text, { minLength: 10 }))) differing++;
      }
    }
    expect(differing).toBe(0);
  });

  it("relies on franc-min's script expressions matching one unit outside the surrogates, or one surrogate pair", () => {
    const units = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => String.fromCharCode(from + i)).join('');
    const [others, highs, lows] = [units(0, 0xd800) + units(0xe000, 0x10000), units(0xd800, 0xdc00), units(0xdc00, 0xe000)];
    for (const expression of Object.values(expressions)) {
      expect(expression.flags).toBe('g');
      // Alternatives of one or two atoms (a class or one unit); the sources have no groups.
      for (const alternative of expression.source.split('|')) {
        const atoms = alternative.match(/\[[^\]]*\]|\\u[0-9A-F]{4}/g) ?? [];
        expect(atoms.join('')).toBe(alternative);
        const [first, second] = atoms.map((atom) => new RegExp(atom));
        if (!second) expect(first!.test(highs + lows)).toBe(false);
        else {
          expect(atoms).toHaveLength(2);
          expect(first!.test(others + lows)).toBe(false);
          expect(second.test(others + highs)).toBe(false);
        }
      }
    }
  });

  it('answers exactly what franc answers on arbitrary text (fast-check)', () => {
    const texts = Object.values(SAMPLES);
    // Runs of news copy in one language (any slice, any case), so that profiles are close and ranks matter.
    const copy = fc.tuple(fc.nat(texts.length - 1), fc.nat(), fc.nat(400), fc.constantFrom('same', 'upper', 'lower')).map(([t, from, len, c]) => {
      const x = texts[t]!.slice(from % texts[t]!.length, (from % texts[t]!.length) + len);
      return c === 'upper' ? x.toUpperCase() : c === 'lower' ? x.toLowerCase() : x;
    });
    // What franc's cleaning and script count read specially: its separators (U+0021-U+0040 and \s), characters
    // that only look like spaces, Σ (lower case by context) and İ (two units lower-cased), surrogate pairs and
    // lone halves, one-language scripts (Greek, Thai, Hangul, kana).
    const special = fc.constantFrom(
      ' ', '  ', '!', '@', '0', '9', '-', '\t', '\n', '\u000b', '\u00a0', '\u1680', '\u2000', '\u200a', '\u2028', '\u202f', '\u205f', '\u3000',
      '\ufeff', '\u0085', '\u200b', '\u180e', 'Σ', 'ΟΔΟΣ.', 'ΑΣ.Α', 'İ', 'İSTANBUL', 'ß', 'ǅ', '🎉', '👍🏽', '𠀀', '𐞀', '\ud800', '\udc00', '\udbff',
      'αβγ', 'สวัสดี', '서울', 'ひらがな', 'カタカナ', '中文', 'Ж', 'ئ', 'א', 'अ', 'ক', 'ሀ', 'ᐁ',
    );
    const unit = fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u));
    const piece = fc.oneof({ weight: 4, arbitrary: copy }, { weight: 4, arbitrary: special }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) }, { weight: 1, arbitrary: unit });
    // Up to several times franc's 2,048-unit sample, and the minimum lengths around the text's.
    const text = fc.tuple(fc.array(piece, { maxLength: 30 }), fc.integer({ min: 1, max: 8 })).map(([ps, times]) => ps.join('').repeat(times));
    const minLength = fc.constantFrom(0, 1, 10, 30, 300);
    const codes = new Set<string>();
    fc.assert(
      fc.property(text, minLength, (t, min) => {
        expect(francCode(t, min)).toBe(franc(t, { minLength: min }));
        // Every profile's score and place, not only the winner's.
        expect(francScores(t, min)).toEqual(francAll(t, { minLength: min }));
        codes.add(francCode(t, min));
      }),
      { seed: 2105, numRuns: 600 },
    );
    expect(codes.size).toBeGreaterThan(8); // the cases reach many profiles
  });

  it('detectLanguage counts letters as \\p{L} does and answers franc in ISO 639-1 (fast-check)', () => {
    // ISO 639-3 to 639-1: the two codes ICU does not map, then ICU.
    const iso1 = (code: string) => {
      const mapped = ({ zlm: 'ms', tgl: 'tl' } as Record<string, string>)[code] ?? Intl.getCanonicalLocales(code)[0] ?? '';
      return code !== 'und' && /^[a-z]{2}$/.test(mapped) ? mapped : null;
    };
    const reference = (text: string) => {
      const sample = text.slice(0, 4000);
      return (sample.match(/\p{L}/gu)?.length ?? 0) >= 30 ? iso1(franc(sample, { minLength: 30 })) : null;
    };
    // Letters (BMP and astral), marks, digits and spaces around the 30-letter threshold, and longer text.
    const piece = fc.constantFrom('a', 'é', 'e\u0301', 'Ж', '中', '𝐀', '𠀀', '1', '٣', ' ', '.', '\ud800', 'the ', 'der ', 'и ');
    const text = fc.oneof(fc.array(piece, { minLength: 20, maxLength: 45 }).map((p) => p.join('')), fc.constantFrom(...Object.values(SAMPLES)));
    fc.assert(
      fc.property(text, (t) => {
        expect(detectLanguage(t)).toBe(reference(t));
      }),
      { seed: 2105, numRuns: 1000 },
    );
  });
});
