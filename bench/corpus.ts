// Reproducible scale corpus for the clustering benchmarks (seeded PRNG, no Math.random).
//
// Real sentences are read at run time from an ECB+ style suite (default ../shared/eval/ecb-dev/files beside the repo,
// never copied into the repo) and recombined into synthetic articles grouped in synthetic stories.
// Each story gets its own invented names (substituted for capitalised words), a pool of story
// sentences and a date, so same-story articles share names and some facts, like real coverage; other
// sentences are re-worded source sentences.
// Known copies are injected with known edits: clutter lines, sentence drops, word substitutions,
// paragraph reordering, truncation to the first 60% of paragraphs.
//
//   npx tsx bench/corpus.ts --n 100000 [--seed 1] [--out /tmp/newsdigest-corpus-100000-1.jsonl]
// writes one JSON line per article: {id,title,words,publisher,publishedAt,receivedAt,fingerprint,story,copyOf,edits}
import { readFileSync, readdirSync, writeFileSync, existsSync, createWriteStream, createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { FINGERPRINT_VERSION, fingerprintArticle } from '../functions/core/fingerprint.ts';
import type { ClusterItem } from '../functions/core/cluster.ts';

/** The ECB+ style suite beside the repo (never copied into it). */
export const defaultSource = join(import.meta.dirname, '..', '..', 'shared', 'eval', 'ecb-dev', 'files');

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface CorpusArticle extends ClusterItem {
  text: string;
  story: number;
  /** Id of the original this article is an injected copy of. */
  copyOf: string | null;
  edits: string[];
}

const SYL = ['ka', 'lo', 'mer', 'dan', 'vi', 'tor', 'sel', 'an', 'bra', 'quo', 'zen', 'fir', 'gal', 'hu', 'rin', 'os', 'pel', 'tra', 'wen', 'yor', 'ix', 'lun', 'mar', 'nes', 'ul', 'dre', 'sko', 'vel', 'pa', 'ghi', 'tu', 'rom', 'ben', 'cas', 'elo', 'fra', 'jin', 'kul', 'mo', 'sta'];
const CLUTTER = ['Advertisement', 'Share this article on Facebook Twitter Email', 'Read more: latest headlines from our newsroom', 'Subscribe to our newsletter for daily updates', 'Related stories', 'Copyright 2025 Example Media Group. All rights reserved.', 'Click here to sign up for breaking news alerts', 'Follow us on social media', 'Recommended for you', 'This story has been corrected.'];

export function loadSentences(dir: string): string[] {
  const out: string[] = [];
  for (const f of readdirSync(dir).sort()) {
    const lines = readFileSync(join(dir, f), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
    for (const l of lines.slice(1)) if (l.split(/\s+/).length >= 6) out.push(l);
  }
  return out;
}

export function generateCorpus(o: { n: number; seed: number; sourceDir: string; copyRate?: number }): CorpusArticle[] {
  const rnd = mulberry32(o.seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const pool = loadSentences(o.sourceDir);
  const vocab = [...new Set(pool.flatMap((s) => s.toLowerCase().match(/\p{L}{4,}/gu) ?? []))].sort();
  const copyRate = o.copyRate ?? 0.15;
  const name = (): string => {
    const k = 3 + Math.floor(rnd() * 2); // 40^3 + 40^4 possible names: stories rarely share one
    let s = '';
    for (let i = 0; i < k; i++) s += pick(SYL);
    return s[0]!.toUpperCase() + s.slice(1);
  };
  const out: CorpusArticle[] = [];
  const base = Date.UTC(2025, 0, 1);
  let story = 0;
  while (out.length < o.n) {
    const size = Math.min(80, 1 + Math.floor(-Math.log(1 - rnd()) * 6));
    const names = Array.from({ length: 4 + Math.floor(rnd() * 4) }, name);
    const sub = (s: string): string => s.replace(/(?<=\s)\p{Lu}\p{Ll}+/gu, () => pick(names));
    // Background sentences are re-worded (30% of longer words replaced) so that two stories drawing the
    // same source sentence do not share it verbatim, as unrelated real articles would not.
    const reword = (s: string): string => sub(s).replace(/\p{Ll}{4,}/gu, (w) => (rnd() < 0.3 ? pick(vocab) : w));
    const facts = Array.from({ length: 10 + Math.floor(rnd() * 10) }, () => sub(pick(pool)));
    const day = base + Math.floor(rnd() * 365) * 86_400_000;
    const originals: CorpusArticle[] = [];
    for (let k = 0; k < size && out.length < o.n; k++) {
      let paras: string[][];
      let copyOf: string | null = null;
      const edits: string[] = [];
      if (originals.length && rnd() < copyRate * 2) {
        const orig = pick(originals);
        copyOf = orig.id;
        paras = orig.text.split('\n\n').map((p) => p.split('\n'));
        if (rnd() < 0.3) { paras = paras.slice(0, Math.max(1, Math.ceil(paras.length * 0.6))); edits.push('truncate60'); }
        if (rnd() < 0.4) { paras = paras.map((p) => p.filter(() => rnd() > 0.1)).filter((p) => p.length); edits.push('drop10'); }
        if (rnd() < 0.5) {
          paras = paras.map((p) => p.map((s) => s.replace(/\p{L}{4,}/gu, (w) => (rnd() < 0.08 ? pick(vocab) : w))));
          edits.push('subst8');
        }
        if (rnd() < 0.3 && paras.length > 2) {
          const i = Math.floor(rnd() * (paras.length - 1));
          [paras[i], paras[i + 1]] = [paras[i + 1]!, paras[i]!];
          edits.push('swap');
        }
        if (rnd() < 0.5) { paras.push([pick(CLUTTER)], [pick(CLUTTER)]); paras.unshift([pick(CLUTTER)]); edits.push('clutter'); }
        if (paras.length === 0) paras = [[pick(facts)]];
        // An edit must leave an article: with fewer than two sentences of the original's text left (the rest
        // boilerplate), a parser rightly finds no body, so the original's opening comes back (no random draw, so
        // every other file of the corpus stays as it was).
        const content = (ps: string[][]) => ps.flat().filter((x) => !CLUTTER.includes(x)).length;
        if (content(paras) < 2) {
          const opening = orig.text.split('\n\n').map((p) => p.split('\n'));
          let n = 0;
          while (n < opening.length && content([...opening.slice(0, n), ...paras]) < 2) n++;
          paras = [...opening.slice(0, n), ...paras];
        }
      } else {
        const m = 6 + Math.floor(rnd() * 20);
        const sents: string[] = [];
        for (let i = 0; i < m; i++) sents.push(rnd() < 0.35 ? pick(facts) : reword(pick(pool)));
        paras = [];
        for (let i = 0; i < sents.length; ) {
          const l = 1 + Math.floor(rnd() * 3);
          paras.push(sents.slice(i, i + l));
          i += l;
        }
      }
      const text = paras.map((p) => p.join(' ')).join('\n\n');
      const title = copyOf && rnd() < 0.5 ? `${pick(names)} ${pick(vocab)} ${pick(vocab)}` : sub(pick(facts)).split(' ').slice(0, 10).join(' ');
      const id = `a_${createHash('sha256').update(`${o.seed}:${out.length}:${text}`).digest('hex').slice(0, 16)}`;
      const publishedAt = rnd() < 0.7 ? new Date(day + Math.floor(rnd() * 2 * 86_400_000)).toISOString() : null;
      const a: CorpusArticle = {
        id,
        title,
        text,
        words: text.match(/[\p{L}\p{N}]+/gu)?.length ?? 0,
        publisher: `pub${Math.floor(rnd() * 200)}`,
        publishedAt,
        receivedAt: new Date(day + 86_400_000).toISOString(),
        fingerprint: fingerprintArticle({ title, text, language: 'en' }),
        story,
        copyOf,
        edits,
      };
      out.push(a);
      if (!copyOf) originals.push(a);
    }
    story++;
  }
  return out;
}

export function corpusPath(n: number, seed: number): string {
  return `/tmp/newsdigest-corpus-${n}-${seed}-fp${FINGERPRINT_VERSION}.jsonl`;
}

/** Load a cached corpus (fingerprints as stored), generating it first when missing. */
export async function loadOrGenerate(n: number, seed: number, sourceDir: string): Promise<CorpusArticle[]> {
  const path = corpusPath(n, seed);
  if (existsSync(path)) {
    // Stream line by line: the whole file as one string would double the benchmark's peak RSS.
    const out: CorpusArticle[] = [];
    const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
    for await (const line of rl) if (line) out.push(JSON.parse(line) as CorpusArticle);
    return out;
  }
  const arts = generateCorpus({ n, seed, sourceDir });
  const ws = createWriteStream(path);
  for (const a of arts) ws.write(`${JSON.stringify({ ...a, text: '' })}\n`);
  await new Promise<void>((r) => ws.end(r));
  return arts;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const get = (k: string, d: string): string => {
    const i = args.indexOf(k);
    return i >= 0 ? args[i + 1]! : d;
  };
  const n = Number(get('--n', '10000'));
  const seed = Number(get('--seed', '1'));
  const src = get('--source', defaultSource);
  const t0 = performance.now();
  const arts = generateCorpus({ n, seed, sourceDir: src });
  const out = get('--out', corpusPath(n, seed));
  writeFileSync(out, arts.map((a) => JSON.stringify({ ...a, text: '' })).join('\n') + '\n');
  const fpBytes = arts.reduce((s, a) => s + JSON.stringify(a.fingerprint).length, 0);
  console.log(`${arts.length} articles, ${new Set(arts.map((a) => a.story)).size} stories, ${arts.filter((a) => a.copyOf).length} injected copies`);
  console.log(`mean words ${(arts.reduce((s, a) => s + a.words, 0) / arts.length).toFixed(0)}, mean fingerprint ${(fpBytes / arts.length).toFixed(0)} B JSON, ${((performance.now() - t0) / 1000).toFixed(1)} s -> ${out}`);
}
