// Dev scorer for HTML extraction: the same figures as ../shared/eval/score.py (extract metrics),
// computed in-process by calling parseFile on each file of a suite.
//   npx tsx bench/html-quality.ts [--suite scrapinghub] [--suite readability-dev] [--worst N] [--doc NAME]
//     [--misses title|author|date] [--half A|B]
// --half keeps one of two fixed halves of each suite (by a hash of the file name): look at the failures of
// one half while changing the method, then confirm on the other that the gain is not tuned to the pages seen.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const EVAL = process.env.NEWSDIGEST_EVAL ?? join(import.meta.dirname, '..', '..', 'shared', 'eval');

interface GoldDoc { title?: string; text?: string; author?: string; publishedAt?: string }
interface Out { title?: string | null; text?: string | null; author?: string | null; publishedAt?: string | null }

// score.py's norm(): NFKC, casefold, unified quotes and dashes, collapsed whitespace.
const QUOTES1 = /[‘’‚‛′`´]/g;
const QUOTES2 = /[“”„‟″«»]/g;
const DASHES = /[‐‑‒–—―−]/g;
export function norm(s: string | null | undefined): string {
  // Python's casefold() ~ toLowerCase() plus a few full foldings (ß -> ss, final sigma).
  const folded = (s ?? '').normalize('NFKC').toLowerCase().replace(/ß/g, 'ss').replace(/ς/g, 'σ');
  return folded.replace(QUOTES1, "'").replace(QUOTES2, '"').replace(DASHES, '-').split(/\s+/).filter(Boolean).join(' ');
}

// Python's \w on str: Unicode letters, numbers and underscore.
const WORD = /[\p{L}\p{N}_]+/gu;
function bag(s: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const w of s.toLowerCase().match(WORD) ?? []) m.set(w, (m.get(w) ?? 0) + 1);
  return m;
}
function isoDate(s: string | null | undefined): string | null {
  const m = /^\d{4}-\d{2}-\d{2}/.exec(String(s ?? '').trim());
  return m ? m[0] : null;
}
const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

export type ParseFn = (name: string, bytes: Uint8Array) => { out: Out | null; error?: string };

async function loadParser(): Promise<ParseFn> {
  try {
    const { parseFile } = await import('../functions/core/parse/index.ts');
    return (name, bytes) => {
      const r = parseFile(name, bytes);
      const a = r.articles[0]?.article;
      return a ? { out: a } : { out: null, error: r.errors.map((e) => e.error).join('; ') };
    };
  } catch (e) {
    // The dispatcher may not load yet (sibling modules in progress): call the HTML parser directly.
    console.error(`(parseFile unavailable: ${(e as Error).message.split('\n')[0]}; using parseHtml directly)`);
    const { parseHtml } = await import('../functions/core/parse/html.ts');
    return (name, bytes) => {
      try {
        return { out: parseHtml(new TextDecoder().decode(bytes), { fileName: name }) };
      } catch (err) {
        return { out: null, error: (err as Error).message };
      }
    };
  }
}

export interface DocScore { name: string; p: number | null; r: number | null; title?: boolean; author?: boolean; date?: boolean; error?: string; out: Out | null; gold: GoldDoc }

/** Which fixed half a file belongs to. */
export function halfOf(name: string): 'A' | 'B' {
  return createHash('sha256').update(name).digest()[0]! < 128 ? 'A' : 'B';
}

export interface Judged { p: number | null; r: number | null; title?: boolean; author?: boolean; date?: boolean }

/** One document against its gold, with score.py's rules: exact normalized title, author containment, same day, token bags. */
export function judge(out: Out | null, g: GoldDoc): Judged {
  const d: Judged = { p: null, r: null };
  if (g.title) d.title = norm(out?.title) === norm(g.title);
  if (g.author) {
    const a = norm(out?.author), ga = norm(g.author);
    d.author = !!a && (ga.includes(a) || a.includes(ga));
  }
  if (g.publishedAt) d.date = isoDate(out?.publishedAt) === g.publishedAt;
  if (g.text) {
    const gb = bag(g.text), pb = bag(out?.text ?? '');
    let tp = 0, np = 0, ng = 0;
    for (const [w, c] of pb) { np += c; tp += Math.min(c, gb.get(w) ?? 0); }
    for (const c of gb.values()) ng += c;
    if (np) d.p = tp / np;
    if (ng) d.r = tp / ng;
  }
  return d;
}

/** Per-document F1, a missing output or no overlap counting as 0. */
export const docF1 = (d: Judged): number => (d.p && d.r ? (2 * d.p * d.r) / (d.p + d.r) : 0);

export function scoreSuite(suite: string, parse: ParseFn, half?: 'A' | 'B') {
  const dir = join(EVAL, suite);
  const gold = JSON.parse(readFileSync(join(dir, 'gold.json'), 'utf8')) as { docs: Record<string, GoldDoc> };
  const docs: DocScore[] = [];
  let rejected = 0;
  for (const name of Object.keys(gold.docs).sort().filter((n) => !half || halfOf(n) === half)) {
    const g = gold.docs[name]!;
    const bytes = readFileSync(join(dir, 'files', name));
    const { out, error } = parse(name, bytes);
    if (!out) rejected++;
    docs.push({ name, out, gold: g, ...judge(out, g), ...(error ? { error } : {}) });
  }
  const rate = (k: 'title' | 'author' | 'date') => {
    const xs = docs.filter((d) => d[k] !== undefined).map((d) => (d[k] ? 1 : 0));
    return xs.length ? { value: mean(xs)!, n: xs.length } : null;
  };
  const P = mean(docs.filter((d) => d.p !== null).map((d) => d.p!)) ?? 0;
  const R = mean(docs.filter((d) => d.gold.text).map((d) => d.r ?? 0));
  const F = R !== null && P + R > 0 ? (2 * P * R) / (P + R) : 0;
  // WCXB's and trafilatura's figure: the mean of per-document F1, a missing output counting as 0.
  const docF = mean(docs.filter((d) => d.gold.text).map(docF1)) ?? 0;
  return { suite, docs, rejected, title: rate('title'), author: rate('author'), date: rate('date'), P, R, F, docF };
}

async function main() {
  const args = process.argv.slice(2);
  const suites: string[] = [];
  let worst = 0;
  let only: string | null = null;
  let misses: 'title' | 'author' | 'date' | null = null;
  let half: 'A' | 'B' | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--suite') suites.push(args[++i]!);
    else if (args[i] === '--worst') worst = Number(args[++i]);
    else if (args[i] === '--doc') only = args[++i]!;
    else if (args[i] === '--misses') misses = args[++i] as 'title' | 'author' | 'date';
    else if (args[i] === '--half') half = args[++i] === 'B' ? 'B' : 'A';
  }
  if (!suites.length) suites.push('scrapinghub', 'readability-dev');
  const parse = await loadParser();
  for (const suite of suites) {
    const t0 = performance.now();
    const s = scoreSuite(suite, parse, half);
    const secs = (performance.now() - t0) / 1000;
    const f = (x: { value: number; n: number } | null) => (x ? `${x.value.toFixed(3)} (n=${x.n})` : '-');
    console.log(`${suite}: docs=${s.docs.length} rejected=${s.rejected} title=${f(s.title)} author=${f(s.author)} date=${f(s.date)} ` +
      `P=${s.P.toFixed(4)} R=${s.R!.toFixed(4)} F1=${s.F.toFixed(4)} docF1=${s.docF.toFixed(4)} (${secs.toFixed(1)} s)`);
    if (worst) {
      const ranked = s.docs.filter((d) => d.gold.text).map((d) => ({ d, f: d.p && d.r ? (2 * d.p * d.r) / (d.p + d.r) : 0 }))
        .sort((a, b) => a.f - b.f).slice(0, worst);
      for (const { d, f } of ranked) console.log(`  ${f.toFixed(3)} P=${(d.p ?? 0).toFixed(3)} R=${(d.r ?? 0).toFixed(3)} ${d.name}${d.error ? ` ERR ${d.error}` : ''}`);
    }
    for (const d of s.docs) {
      if (suite === 'readability-dev' && (d.title === false || d.author === false || d.date === false))
        console.log(`  meta ${d.name}: ${d.title === false ? `title ${JSON.stringify(d.out?.title)} vs ${JSON.stringify(d.gold.title)} ` : ''}` +
          `${d.author === false ? `author ${JSON.stringify(d.out?.author)} vs ${JSON.stringify(d.gold.author)} ` : ''}` +
          `${d.date === false ? `date ${d.out?.publishedAt} vs ${d.gold.publishedAt}` : ''}`);
      if (misses && d[misses] === false) {
        const field = misses === 'date' ? 'publishedAt' : misses;
        console.log(`  ${misses} ${d.name}: ours ${JSON.stringify(d.out?.[field] ?? null)} gold ${JSON.stringify(d.gold[field])}`);
      }
      if (only && d.name === only) console.log(JSON.stringify(d.out, null, 1));
    }
  }
}

if (process.argv[1]?.endsWith('html-quality.ts')) await main();
