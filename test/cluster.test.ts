import { readFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FingerprintSchema, decodeFingerprint, fingerprintArticle } from '../functions/core/fingerprint.ts';
import { normaliseToken, stopwordsFor, tokenise } from '../functions/core/similarity/text.ts';
import { type ClusterItem, clusterArticles } from '../functions/core/cluster.ts';
import { LocalAligner, SentenceDoc, alignSentences, sentencePostings } from '../functions/core/similarity/align.ts';
import { encodeVarints } from '../functions/core/similarity/codec.ts';
import { packPair, packUnordered, pairFirst, pairSecond } from '../functions/core/similarity/pair-key.ts';
import { shuffle } from './shuffle.ts';

const SEEDS = new URL('../seeds/', import.meta.url);

function item(title: string, text: string, extra: Partial<ClusterItem> & { key?: string } = {}): ClusterItem {
  const id = `a_${createHash('sha256').update(`${extra.key ?? ''}${title}\n${text}`).digest('hex').slice(0, 16)}`;
  return {
    id,
    title,
    words: text.match(/[\p{L}\p{N}]+/gu)?.length ?? 0,
    publisher: null,
    publishedAt: null,
    receivedAt: '2025-04-23T10:00:00Z',
    fingerprint: fingerprintArticle({ title, text, language: 'en' }),
    ...extra,
  };
}

/** Seeds as items: title = first non-empty line, text = the rest (stand-in for the text parser). */
function seedItems(): Array<ClusterItem & { file: string }> {
  return readdirSync(SEEDS).filter((f) => f.endsWith('.txt')).sort().map((file) => {
    const lines = readFileSync(new URL(file, SEEDS), 'utf8').split('\n');
    const i = lines.findIndex((l) => l.trim());
    return { ...item(lines[i]!.trim(), lines.slice(i + 1).join('\n').trim()), file };
  });
}


// Hand-written fixtures: two different earthquakes (same topic, different events) and an unrelated story.
const QUAKE_A = [
  'A magnitude 6.4 earthquake struck the mountain province of Velmora early on Tuesday, collapsing dozens of homes and killing at least 14 people, regional officials said.',
  'The quake hit at 4:12 a.m. local time at a depth of 12 kilometres, about 30 kilometres north of the provincial capital Dastrel, according to the national seismological institute.',
  'Rescue teams worked through the morning to pull survivors from the rubble of a school dormitory in the village of Orvik, where residents said the walls gave way within seconds.',
  'Governor Ilse Marrant said 160 people had been taken to hospital and that the number of dead was likely to rise as crews reached isolated valleys cut off by landslides.',
  'Power and telephone lines were down across much of Velmora, and the army sent helicopters with tents, water and medical supplies to the worst-hit districts.',
  'Aftershocks of up to magnitude 4.8 rattled the region throughout the day, sending frightened families into the streets and makeshift camps on football pitches.',
  'The province lies on an active fault and was last hit by a deadly quake in 1987, when more than 300 people died in a landslide that buried a market town.',
  'Neighbouring countries offered search dogs and engineers, and the prime minister was expected to visit Dastrel on Wednesday to meet survivors.',
];
const QUAKE_B = [
  'A strong earthquake of magnitude 5.9 shook the coastal city of Perunda on Saturday evening, damaging the old harbour and injuring around 40 people, the fire service said.',
  'The tremor was centred under the sea some 18 kilometres west of Perunda at a shallow depth, and authorities briefly issued a tsunami alert before lifting it an hour later.',
  'Mayor Tobias Quenn told a local radio station that the historic lighthouse had partly collapsed and that several fishing boats had sunk at their moorings.',
  'Hospitals in Perunda treated people for cuts and broken bones, mostly from falling glass, and no deaths had been reported by late evening.',
  'Ferry services to the islands of Sarn and Mellow were suspended while engineers inspected the piers, leaving hundreds of weekend travellers stranded.',
  'Seismologists at the coastal observatory said the quake was felt as far as 200 kilometres inland and warned residents to expect aftershocks for several days.',
  'Perunda was largely rebuilt after a tsunami in 1952, and strict building codes introduced since then were credited with limiting the damage this time.',
];
const OTHER = [
  'The city council of Harwick voted on Monday to close the central library for two years while the building is restored, despite protests from readers and staff.',
  'Council leader Anya Brosk said the roof and heating system were beyond repair and that a temporary branch would open in the former post office on Mill Street.',
  'Campaigners handed in a petition with 12,000 signatures asking for the restoration to be done in stages so that the reading rooms could stay open.',
  'The work is expected to cost 18 million and will be paid for by a heritage grant and the sale of two council properties, officials said.',
  'Library staff will be moved to the temporary branch and to mobile libraries serving the outlying villages, the council said in a statement.',
];

const para = (xs: string[]): string => xs.join('\n\n');

describe('clusterArticles on the seed articles', () => {
  const seeds = seedItems();
  const byFile = (prefix: string): string => seeds.find((s) => s.file.startsWith(prefix))!.id;

  it('finds one story whose only copy group is 000 + 001, with scores', () => {
    const { stories } = clusterArticles(seeds);
    expect(stories).toHaveLength(1);
    const s = stories[0]!;
    expect(s.articles).toEqual(seeds.map((x) => x.id).sort());
    expect(s.copies).toEqual([[byFile('000'), byFile('001')].sort()]);
    expect(s.copyGroups).toHaveLength(1);
    const g = s.copyGroups[0]!;
    expect(g.canonical).toBe(byFile('001')); // the longer, more complete version
    expect(g.reasons).toHaveLength(1);
    expect(g.reasons[0]!.id).toBe(byFile('000'));
    expect(g.reasons[0]!.scores.coverage).toBeGreaterThan(0.75);
    // every non-canonical article says why it is in the story
    expect(s.reasons.map((r) => r.id).sort()).toEqual(s.articles.filter((a) => a !== s.canonical));
    for (const r of s.reasons) expect(Object.keys(r.scores).length).toBeGreaterThan(0);
    expect(s.headline).toBe(seeds.find((x) => x.id === s.canonical)!.title);
    expect(s.id).toMatch(/^s_[0-9a-f]{16}$/);
  });

  it('gives the same output whatever the input order', () => {
    const base = clusterArticles(seeds);
    for (const seed of [1, 2, 3, 42, 1234]) expect(clusterArticles(shuffle(seeds, seed))).toEqual(base);
  });
});

describe('clusterArticles on synthetic cases', () => {
  const a = item('Deadly earthquake hits Velmora province', para(QUAKE_A));
  const b = item('Earthquake damages Perunda harbour', para(QUAKE_B));
  const other = item('Harwick library to close for restoration', para(OTHER));

  it('keeps two different earthquakes and an unrelated story apart', () => {
    const { stories } = clusterArticles([a, b, other]);
    expect(stories).toHaveLength(3);
    for (const s of stories) expect(s.copies).toEqual([]);
  });

  it('lets an article left alone by average linkage join the story it is closest to on average', () => {
    // Three reports of one quake, plus a short follow-up that shares names with only part of them.
    const r1 = item('Deadly earthquake hits Velmora province', para(QUAKE_A.slice(0, 5)), { key: 'r1' });
    const r2 = item('Velmora earthquake kills 14', para(QUAKE_A.slice(2, 8)), { key: 'r2' });
    const r3 = item('Earthquake in Velmora: school dormitory collapses', para([QUAKE_A[0]!, QUAKE_A[2]!, QUAKE_A[3]!, QUAKE_A[6]!]), { key: 'r3' });
    const late = item('Charity flights leave for the mountains', 'Two charity flights with blankets, tents and water left the capital on Thursday for Velmora, where the earthquake destroyed homes.\n\nVolunteers collected donations at churches, schools and football clubs across the country over the weekend.\n\nOrganisers said more flights would follow next week if the roads stay closed, and Governor Ilse Marrant thanked them from Dastrel.', { key: 'late' });
    const items = [r1, r2, r3, late, b, other];
    // A strict story threshold leaves the follow-up out; the leftover pass then brings it in.
    const alone = clusterArticles(items, { storyThreshold: 0.25, attachThreshold: 1 }).stories;
    const joined = clusterArticles(items, { storyThreshold: 0.25, attachThreshold: 0.12 }).stories;
    const storyOf = (ss: typeof joined, id: string): string => ss.find((s) => s.articles.includes(id))!.id;
    expect(storyOf(alone, late.id)).not.toBe(storyOf(alone, r1.id));
    expect(storyOf(joined, late.id)).toBe(storyOf(joined, r1.id));
    expect(storyOf(joined, b.id)).not.toBe(storyOf(joined, r1.id));
    expect(storyOf(joined, other.id)).not.toBe(storyOf(joined, r1.id));
  });

  it('detects a verbatim copy with different clutter', () => {
    const clutter = item('Deadly earthquake hits Velmora province | Daily Planet', para(['Advertisement', ...QUAKE_A, 'Share this story on Facebook, Twitter and Email', 'Copyright 2025 Daily Planet. All rights reserved.']));
    const { stories } = clusterArticles([a, b, other, clutter]);
    const s = stories.find((x) => x.articles.includes(a.id))!;
    expect(s.copies).toEqual([[a.id, clutter.id].sort()]);
    expect(s.articles).not.toContain(b.id);
  });

  it('detects a shortened copy (first 60% of paragraphs)', () => {
    const short = item('Quake kills 14 in Velmora', para(QUAKE_A.slice(0, Math.ceil(QUAKE_A.length * 0.6))));
    const { stories } = clusterArticles([a, b, short]);
    const s = stories.find((x) => x.articles.includes(a.id))!;
    expect(s.copies).toEqual([[a.id, short.id].sort()]);
    expect(s.copyGroups[0]!.canonical).toBe(a.id);
  });

  it('detects a lightly edited copy', () => {
    const edited = QUAKE_A.map((p) =>
      p.replace('early on Tuesday', 'on Tuesday morning').replace('officials said', 'authorities said').replace('worked through the morning', 'spent the morning working').replace('likely to rise', 'expected to climb'),
    );
    edited.splice(6, 1); // one paragraph dropped
    const e = item('Velmora earthquake death toll at 14', para(edited));
    const { stories } = clusterArticles([a, b, other, e]);
    const s = stories.find((x) => x.articles.includes(a.id))!;
    expect(s.copies).toEqual([[a.id, e.id].sort()]);
    expect(s.copyGroups[0]!.reasons[0]!.scores.coverage).toBeGreaterThan(0.75);
  });

  it('does not call a same-story article with a few shared sentences a copy', () => {
    const follow = item('Velmora counts the cost a day after the quake', para([
      'A day after the earthquake in Velmora, families who lost their homes queued for food and blankets at a sports hall in Dastrel.',
      QUAKE_A[1]!,
      'Engineers inspecting the damaged school dormitory in Orvik said it had been built without steel reinforcement in the 1970s.',
      'Governor Ilse Marrant promised an inquiry into building standards and said reconstruction would start before winter.',
      'The death toll rose to 19 overnight after two more bodies were found in a collapsed farmhouse, officials said.',
      'Aid agencies warned that cold nights in the mountains posed a risk to the hundreds of people sleeping outdoors in Velmora.',
    ]));
    const { stories } = clusterArticles([a, b, follow]);
    const s = stories.find((x) => x.articles.includes(a.id))!;
    expect(s.articles).toEqual([a.id, follow.id].sort());
    expect(s.copies).toEqual([]);
  });

  it('does not call a separate report of the same facts, in the same order, a copy', () => {
    // Each sentence repeats the names, numbers and a few key words of QUAKE_A's, in the same order,
    // in the reporter's own words: half or more of its content terms reappear, but not the wording.
    const report = item('Velmora quake: 14 dead', para([
      'An earthquake measuring 6.4 killed 14 people in Velmora province on Tuesday, destroying dozens of homes.',
      'It struck at 4:12 a.m. near Dastrel, 12 kilometres underground, the seismological institute reported.',
      'In Orvik, rescue teams dug survivors out of a school dormitory that villagers saw crumble.',
      'Governor Ilse Marrant put the injured at 160 and feared more dead in valleys blocked by landslides.',
      'Velmora lost power and telephone lines; army helicopters carried tents, water and medical supplies.',
      'Aftershocks reaching magnitude 4.8 kept families outdoors, camping on football pitches.',
      'In 1987 a quake there killed more than 300 people when a landslide buried a market town.',
      'Neighbouring countries sent dogs and engineers; the prime minister visits Dastrel on Wednesday.',
    ]));
    const { stories } = clusterArticles([a, b, other, report]);
    const s = stories.find((x) => x.articles.includes(a.id))!;
    expect(s.articles).toEqual([a.id, report.id].sort());
    expect(s.copies).toEqual([]);
  });

  it('treats equal fingerprints under different ids as copies', () => {
    const twin = item(a.title, para(QUAKE_A), { key: 'other-outlet' });
    expect(twin.id).not.toBe(a.id);
    const { stories } = clusterArticles([a, twin, b]);
    const s = stories.find((x) => x.articles.includes(a.id))!;
    expect(s.copies).toEqual([[a.id, twin.id].sort()]);
  });

  it('handles empty input and a single article', () => {
    expect(clusterArticles([]).stories).toEqual([]);
    const { stories } = clusterArticles([a]);
    expect(stories).toHaveLength(1);
    expect(stories[0]!.articles).toEqual([a.id]);
    expect(stories[0]!.copies).toEqual([]);
    expect(stories[0]!.canonical).toBe(a.id);
    expect(stories[0]!.headline).toBe(a.title);
  });
});

describe('clusterArticles phase reports', () => {
  it('reports each phase once, in order, without changing the result', () => {
    const seeds = seedItems();
    const phases: string[] = [];
    const ms: number[] = [];
    const out = clusterArticles(seeds, { onPhase: (name, t) => { phases.push(name); ms.push(t); } });
    expect(phases).toEqual(['sort', 'corpus', 'candidates', 'verify', 'copies', 'unit graph', 'linkage', 'stories']);
    for (const t of ms) expect(t).toBeGreaterThanOrEqual(0);
    expect(out).toEqual(clusterArticles(seeds));
    const none: string[] = [];
    clusterArticles([], { onPhase: (name) => none.push(name) });
    expect(none).toEqual([]);
  });
});

describe('pair packing', () => {
  it('round-trips at the documented bounds and sorts as (first, second)', () => {
    const cases: Array<[number, number]> = [[0, 0], [0, 1], [1, 0], [2 ** 21, 2 ** 26 - 1], [2 ** 27 - 1, 2 ** 26 - 1], [2 ** 27 - 1, 0]];
    for (const [a, b] of cases) {
      const p = packPair(a, b);
      expect([pairFirst(p), pairSecond(p)]).toEqual([a, b]);
    }
    const packed = Float64Array.from(cases, ([a, b]) => packPair(a, b)).sort();
    const sorted = [...cases].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    expect(Array.from(packed, (p) => [pairFirst(p), pairSecond(p)])).toEqual(sorted);
    expect(packUnordered(7, 3)).toBe(packPair(3, 7));
    expect(packUnordered(3, 7)).toBe(packPair(3, 7));
  });
});

describe('fingerprintArticle', () => {
  it('is schema-valid, JSON-compact and deterministic', () => {
    const words = (QUAKE_A.join(' ') + ' ' + QUAKE_B.join(' ') + ' ' + OTHER.join(' ')).split(' ');
    const text = Array.from({ length: 1000 }, (_, i) => words[i % words.length]).join(' ').replace(/\. /g, '.\n\n');
    const fp = fingerprintArticle({ title: 'A long article', text, language: 'en' });
    expect(FingerprintSchema.parse(fp)).toEqual(fp);
    expect(JSON.stringify(fp).length).toBeLessThan(3500);
    expect(fingerprintArticle({ title: 'A long article', text, language: 'en' })).toEqual(fp);
  });

  it('keeps numbers whole (decimals, thousands) as terms and as name-like features', () => {
    const toks = tokenise('A magnitude 6.1 quake left 2,116 people homeless in 2013, not 7 or 6.4.', stopwordsFor('en'));
    const terms = toks.map((t) => t.term);
    expect(terms).toEqual(expect.arrayContaining(['6.1', '2116', '2013', '6.4']));
    expect(terms).not.toContain('7');
    expect(toks.filter((t) => t.number).map((t) => t.term)).toEqual(['6.1', '2116', '2013', '6.4']);
    const a = decodeFingerprint(fingerprintArticle({ title: 'Quake', text: 'A magnitude 6.1 quake struck the coast in 2013 and many houses fell.', language: 'en' }));
    const b = decodeFingerprint(fingerprintArticle({ title: 'Quake', text: 'A magnitude quake struck the coast and many houses fell.', language: 'en' }));
    expect(a.entities.length).toBe(b.entities.length + 2);
  });

  it('finds the tokens the TOKEN regex defines (numbers, marks, astral and lone surrogates, unspaced scripts)', () => {
    // The tokeniser as it was written with the regex; the scanner must give exactly its tokens.
    const TOKEN = /\p{N}+(?:[.,]\p{N}+)*(?![\p{L}\p{M}])|[\p{L}\p{M}\p{N}]+/gu;
    const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
    const reference = (sentence: string, stop: Set<string>) => {
      const out: Array<{ term: string; capital: boolean; lower: boolean; number: boolean }> = [];
      let index = 0;
      for (const [raw] of sentence.matchAll(TOKEN)) {
        const first = index++ === 0;
        if (/[^\u0000-\u0dff]/.test(raw) && UNSPACED.test(raw)) {
          const chars = [...raw.toLowerCase()];
          for (let i = 0; i + 1 < chars.length; i++) out.push({ term: chars[i]! + chars[i + 1]!, capital: false, lower: false, number: false });
          continue;
        }
        const term = normaliseToken(raw, stop);
        if (term === null) continue;
        const upper = /^\p{Lu}/u.test(raw);
        out.push({ term, capital: upper && !first, lower: !upper && /\p{Ll}/u.test(raw), number: /^\p{N}+(?:[.,]\p{N}+)*$/u.test(raw) });
      }
      return out;
    };
    const pieces = ['a', 'Q', 'The', 'news', 'ss', 'us', '1', '2', '0', '.', ',', ' ', '\n', "'", '’', 'é', 'İ', 'Σ', '\u0301', '٣', '²', '½', 'Ⅻ',
      '𝟙', '𝐀', '😀', '\ud800', '\udc00', '中', '文', 'カ', 'ไ', 'Ж', '\u00a0', '…', 'Ａ', '１', '1,000', '6.1'];
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const samples = ['12abc 1.5kg 1.55kg 1,2a 1,23a 3.x 7. 2,116 6.1. ½x 2\u0301 1.2\u0301 𝟙𝟙𝐀 𝟙𝐀 x𝟙1', 'A magnitude 6.1 quake left 2,116 people'];
    for (let i = 0; i < 3000; i++) samples.push(Array.from({ length: 1 + Math.floor(next() * 30) }, () => pieces[Math.floor(next() * pieces.length)]).join(''));
    for (const stop of [stopwordsFor('en'), stopwordsFor(null)]) for (const s of samples) expect(tokenise(s, stop), s).toEqual(reference(s, stop));
  });

  it('tokenises unspaced scripts and unknown languages', () => {
    const zh = fingerprintArticle({ title: '地震', text: '昨天晚上发生了强烈地震。许多房屋倒塌了。', language: null });
    expect(zh.tokens).toBeGreaterThan(5);
    const de = fingerprintArticle({ title: 'Erdbeben', text: 'Ein starkes Erdbeben hat die Stadt erschüttert. Viele Häuser wurden zerstört.', language: 'de' });
    expect(de.tokens).toBeGreaterThan(4);
  });
});

describe('sentence alignment on local term indexes', () => {
  // Random articles over a small vocabulary (so sentences overlap), each as a sorted term list and
  // sentences of local indexes; the local aligner must give exactly what the reference gives on
  // the same sentences in global ids.
  function article(rnd: () => number, vocab: number): { terms: Int32Array; sents: number[][] } {
    const sents: number[][] = [];
    const n = 1 + Math.floor(rnd() * 12);
    for (let i = 0; i < n; i++) {
      const len = Math.floor(rnd() * 9);
      sents.push([...new Set(Array.from({ length: len }, () => Math.floor(rnd() * vocab)))].sort((x, y) => x - y));
    }
    const terms = Int32Array.from([...new Set(sents.flat())].sort((x, y) => x - y));
    return { terms, sents };
  }
  function load(a: { terms: Int32Array; sents: number[][] }, weight: Float64Array): SentenceDoc {
    const stream: number[] = [];
    for (const s of a.sents) {
      stream.push(s.length);
      let prev = 0;
      for (const t of s) {
        const u = a.terms.indexOf(t);
        stream.push(u - prev);
        prev = u;
      }
    }
    const bytes = Buffer.from(encodeVarints(stream), 'base64');
    const doc = new SentenceDoc();
    doc.load(0, bytes, 0, bytes.length, a.terms, 0, a.terms.length, weight, 1);
    return doc;
  }

  it('matches alignSentences on random pairs, with and without term weights', () => {
    let seed = 7;
    const rnd = (): number => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
    const aligner = new LocalAligner();
    let aligned = 0;
    for (let trial = 0; trial < 400; trial++) {
      const vocab = 6 + Math.floor(rnd() * 30);
      const weighted = trial % 2 === 0;
      const weight = Float64Array.from({ length: vocab }, () => (weighted ? 0.2 + rnd() : 1));
      const a = article(rnd, vocab);
      const b = article(rnd, vocab);
      const map = Int32Array.from(a.terms, (t) => b.terms.indexOf(t));
      const share = [0.5, 0.7][trial % 4 >> 1]!;
      const got = aligner.align(load(a, weight), map, load(b, weight), share);
      const want = alignSentences(a.sents.map((s) => Int32Array.from(s)), sentencePostings(b.sents.map((s) => Int32Array.from(s))), b.sents.length, share, weighted ? weight : null);
      expect(got).toEqual(want);
      if (want.coverage > 0) aligned++;
    }
    expect(aligned).toBeGreaterThan(40);
  });
});
