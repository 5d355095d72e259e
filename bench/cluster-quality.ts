// Copy-pair and story quality of fingerprint + clusterArticles on labelled suites, with the metrics of
// ../shared/eval/score.py (dup pair P/R/F1 over transitively closed pairs, story B-cubed P/R/F1), and
// copy pairs against the hand-adjudicated labels where bench/<suite>-adjudication.json exists.
//
//   npx tsx bench/cluster-quality.ts [suiteDir ...] [--errors] [--opt key=value ...]
//
// Default suites: ../shared/eval/seeds and ../shared/eval/ecb-dev beside the repo (read at run time, never copied).
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { fingerprintArticle } from '../functions/core/fingerprint.ts';
import { type ClusterItem, type ClusterOptions, type Story, clusterArticles } from '../functions/core/cluster.ts';
import { type Adjudication, type AdjudicationReport, adjudicationReport, closurePairs, formatReport, loadAdjudication } from './adjudication.ts';

type Parsed = { title: string; text: string; language: string | null; publishedAt: string | null; publisher: string | null };
type TextParser = (text: string) => Parsed;

async function loadParser(): Promise<{ name: string; parse: TextParser }> {
  const fallback: TextParser = (raw) => {
    const lines = raw.replace(/\r\n?/g, '\n').split('\n');
    const i = lines.findIndex((l) => l.trim());
    const title = (lines[i] ?? '').trim();
    return { title, text: lines.slice(i + 1).join('\n').trim() || title, language: null, publishedAt: null, publisher: null };
  };
  const path = new URL('../functions/core/parse/text.ts', import.meta.url);
  if (existsSync(path)) {
    try {
      const mod = (await import(path.href)) as { parseText?: (t: string) => Parsed };
      if (typeof mod.parseText === 'function') {
        const p = mod.parseText;
        return { name: 'parseText', parse: (t) => { try { return p(t); } catch { return fallback(t); } } };
      }
    } catch { /* parser not ready: fall back */ }
  }
  return { name: 'first-line fallback', parse: fallback };
}

const f1 = (p: number, r: number): number => (p + r > 0 ? (2 * p * r) / (p + r) : 0);
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

type Gold = { docs: Record<string, { story?: string; publishedAt?: string }>; dupPairs?: string[][] };

export interface Suite {
  items: ClusterItem[];
  /** File name of each item id. */
  fileOf: Map<string, string>;
  parser: string;
  fingerprintMs: number;
}

/** A suite's files (its `files/` directory, or the directory itself when it has none) as cluster items, one per file. */
export async function loadSuite(dir: string): Promise<Suite> {
  const parser = await loadParser();
  const filesDir = existsSync(join(dir, 'files')) ? join(dir, 'files') : dir;
  const files = readdirSync(filesDir).sort();
  const items: ClusterItem[] = [];
  const fileOf = new Map<string, string>();
  const t0 = performance.now();
  for (const f of files) {
    const raw = readFileSync(join(filesDir, f), 'utf8');
    const p = parser.parse(raw);
    // One item per file (files with identical text become equal fingerprints: copies).
    const id = `a_${createHash('sha256').update(`${f}\n${p.text}`).digest('hex').slice(0, 16)}`;
    fileOf.set(id, f);
    items.push({
      id,
      title: p.title,
      words: p.text.match(/[\p{L}\p{N}]+/gu)?.length ?? 0,
      publisher: p.publisher,
      publishedAt: p.publishedAt,
      receivedAt: '2025-01-01T00:00:00Z',
      fingerprint: fingerprintArticle({ title: p.title, text: p.text, language: p.language }),
    });
  }
  return { items, fileOf, parser: parser.name, fingerprintMs: performance.now() - t0 };
}

/** Story B-cubed against the gold story labels; an article in no predicted story is a story of its own. */
interface StoryScore {
  precision: number;
  recall: number;
  /** Gold story -> its files. */
  gold: Map<string, Set<string>>;
  /** Predicted story -> its labelled files. */
  predicted: Map<string, Set<string>>;
  /** Predicted story of a file. */
  storyOf: (file: string) => string;
  labels: Array<readonly [string, string]>;
}

function storyScore(stories: Story[], fileOf: Map<string, string>, gold: Gold): StoryScore {
  const storyOfFile = new Map<string, string>();
  for (const s of stories) for (const a of s.articles) storyOfFile.set(fileOf.get(a)!, s.id);
  const labels = Object.entries(gold.docs).filter(([, d]) => d.story !== undefined).map(([k, d]) => [k, d.story!] as const);
  const gm = new Map<string, Set<string>>();
  const pm = new Map<string, Set<string>>();
  const storyOf = (k: string): string => storyOfFile.get(k) ?? `single:${k}`;
  for (const [k, g] of labels) {
    gm.set(g, (gm.get(g) ?? new Set()).add(k));
    pm.set(storyOf(k), (pm.get(storyOf(k)) ?? new Set()).add(k));
  }
  const precs: number[] = [];
  const recs: number[] = [];
  for (const [k, g] of labels) {
    const G = gm.get(g)!;
    const P = pm.get(storyOf(k))!;
    let ov = 0;
    for (const x of P) if (G.has(x)) ov++;
    precs.push(ov / P.size);
    recs.push(ov / G.size);
  }
  return { precision: mean(precs), recall: mean(recs), gold: gm, predicted: pm, storyOf, labels };
}

export async function runSuite(dir: string, opts: Partial<ClusterOptions>, showErrors: boolean): Promise<Record<string, number>> {
  const gold = JSON.parse(readFileSync(join(dir, 'gold.json'), 'utf8')) as Gold;
  const { items, fileOf, parser, fingerprintMs } = await loadSuite(dir);
  const t1 = performance.now();
  const { stories, stats } = clusterArticles(items, opts);
  const t2 = performance.now();

  const goldPairs = closurePairs(gold.dupPairs ?? []);
  const pred = closurePairs(stories.flatMap((s) => s.copies.map((g) => g.map((id) => fileOf.get(id)!).sort())));
  const tp = [...pred].filter((p) => goldPairs.has(p)).length;
  const dupP = pred.size ? tp / pred.size : goldPairs.size ? 0 : 1;
  const dupR = goldPairs.size ? tp / goldPairs.size : pred.size ? 0 : 1;
  const st = storyScore(stories, fileOf, gold);
  const m = {
    articles: items.length,
    dup_precision: dupP,
    dup_recall: dupR,
    dup_f1: f1(dupP, dupR),
    dup_pairs_pred: pred.size,
    dup_pairs_gold: goldPairs.size,
    bcubed_precision: st.precision,
    bcubed_recall: st.recall,
    bcubed_f1: f1(st.precision, st.recall),
    clusters_pred: st.predicted.size,
    clusters_gold: st.gold.size,
    candidates: stats.candidates,
    fingerprint_ms: fingerprintMs,
    cluster_ms: t2 - t1,
  };
  const adj = loadAdjudication(basename(dir));
  const report = adj ? adjudicationReport(pred, goldPairs, adj) : null;
  if (report) {
    Object.assign(m, {
      dup_precision_adj: report.adjudicated.precision,
      dup_recall_adj: report.adjudicated.recall,
      dup_f1_adj: report.adjudicated.f1,
      dup_pairs_adj: report.adjudicated.gold,
      adj_overturned: report.labels.added + report.labels.removed,
    });
  }
  console.log(`\n${dir}  (parser: ${parser})`);
  for (const [k, v] of Object.entries(m)) console.log(`  ${k.padEnd(18)} ${Number.isInteger(v) ? v : v.toFixed(3)}`);
  if (report) for (const line of formatReport(basename(dir), report, showErrors ? Infinity : 5)) console.log(`  ${line}`);
  if (showErrors) {
    printCopyErrors(stories, fileOf, pred, goldPairs, adj, report);
    printStoryErrors(stories, fileOf, st);
  }
  return m;
}

/** Copy pairs predicted and not in the labels and the reverse, with their scores and any hand verdict. */
function printCopyErrors(stories: Story[], fileOf: Map<string, string>, pred: Set<string>, goldPairs: Set<string>, adj: Adjudication | null, report: AdjudicationReport | null): void {
  const reasonOf = new Map(stories.flatMap((s) => s.copyGroups.flatMap((g) => g.reasons.map((r) => [`${fileOf.get(r.id)}|${fileOf.get(r.of)}`, r.scores] as const))));
  const verdictOf = new Map((adj?.pairs ?? []).map((v) => [[...v.pair].sort().join('|'), v] as const));
  const note = (p: string): string => {
    const v = verdictOf.get(p);
    return v ? `  [${v.verdict}: ${v.why}]` : '';
  };
  for (const p of [...pred].filter((x) => !goldPairs.has(x)).sort()) {
    const [a, b] = p.split('|');
    console.log(`  copy FP ${p}  ${JSON.stringify(reasonOf.get(`${a}|${b}`) ?? reasonOf.get(`${b}|${a}`) ?? {})}${note(p)}`);
  }
  for (const p of [...goldPairs].filter((x) => !pred.has(x)).sort()) console.log(`  copy FN ${p}${note(p)}`);
  if (report) {
    const adjGold = report.labels.pairs;
    for (const p of [...pred].filter((x) => !adjGold.has(x)).sort()) console.log(`  copy FP (adjudicated) ${p}${note(p)}`);
    for (const p of [...adjGold].filter((x) => !pred.has(x)).sort()) console.log(`  copy FN (adjudicated) ${p}${note(p)}`);
  }
}

/** Predicted stories mixing gold stories, and gold stories split over predicted ones. */
function printStoryErrors(stories: Story[], fileOf: Map<string, string>, st: StoryScore): void {
  const gsOf = new Map(st.labels);
  for (const s of stories) {
    const labels = s.articles.map((a) => gsOf.get(fileOf.get(a)!) ?? '?');
    const uniq = [...new Set(labels)];
    if (uniq.length > 1) console.log(`  mixed story ${s.id} (${s.articles.length}): ${uniq.map((u) => `${u}x${labels.filter((l) => l === u).length}`).join(' ')}`);
  }
  for (const [g, G] of st.gold) {
    const parts = new Map<string, number>();
    for (const k of G) parts.set(st.storyOf(k), (parts.get(st.storyOf(k)) ?? 0) + 1);
    if (parts.size > 1) console.log(`  split gold ${g} (${G.size}): ${[...parts.values()].sort((a, b) => b - a).join('+')}`);
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const showErrors = args.includes('--errors');
  const opts: Record<string, number> = {};
  const dirs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--opt') {
      const [k, v] = args[++i]!.split('=');
      opts[k!] = Number(v);
    } else if (!args[i]!.startsWith('--')) dirs.push(resolve(args[i]!));
  }
  if (dirs.length === 0) {
    const evalDir = join(import.meta.dirname, '..', '..', 'shared', 'eval');
    dirs.push(join(evalDir, 'seeds'), join(evalDir, 'ecb-dev'));
  }
  for (const d of dirs) await runSuite(d, opts as Partial<ClusterOptions>, showErrors);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
