// Copy-pair scores against hand-adjudicated labels, next to the silver ones.
//
// A suite's silver dupPairs can be wrong (ecb-dev's rule, word-5-gram Jaccard > 0.3, misses shortened
// and rewritten copies). `bench/<suite>-adjudication.json` holds a verdict ("copy" / "not-copy", with a
// one-line why) for every pair where silver and our copies disagreed. The adjudicated labels are the
// silver pairs closed transitively (as ../shared/eval/score.py does), minus the pairs judged not-copy,
// plus the pairs judged copy, closed again. Pairs the method predicts today that nobody has judged are
// reported, so a method change shows what still needs a verdict.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';

export type PairKey = string; // "a|b" with a < b (file paths relative to the suite's files/)

export interface Verdict {
  pair: [string, string];
  /** In the silver closure when judged. */
  silver: boolean;
  /** Predicted (closed) by the commit in `basis` when judged. */
  predicted: boolean;
  verdict: 'copy' | 'not-copy';
  why: string;
}

export interface Adjudication {
  suite: string;
  about?: string;
  criterion?: string;
  basis?: Record<string, unknown>;
  pairs: Verdict[];
}

export const pairKey = (a: string, b: string): PairKey => (a < b ? `${a}|${b}` : `${b}|${a}`);

/** All unordered pairs inside the connected components of the groups (score.py's closure_pairs). */
export function closurePairs(groups: Iterable<readonly string[]>): Set<PairKey> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    if (!parent.has(x)) parent.set(x, x);
    while (parent.get(x) !== x) {
      const up = parent.get(parent.get(x)!)!;
      parent.set(x, up);
      x = up;
    }
    return x;
  };
  for (const g of groups) for (const x of g) parent.set(find(x), find(g[0]!));
  const comps = new Map<string, string[]>();
  for (const x of parent.keys()) {
    const r = find(x);
    const c = comps.get(r);
    if (c) c.push(x);
    else comps.set(r, [x]);
  }
  const out = new Set<PairKey>();
  for (const c of comps.values()) {
    c.sort();
    for (let i = 0; i < c.length; i++) for (let j = i + 1; j < c.length; j++) out.add(`${c[i]}|${c[j]}`);
  }
  return out;
}

const groupsOf = (pairs: Iterable<PairKey>): string[][] => [...pairs].map((p) => p.split('|'));

export function adjudicationFile(suite: string): string {
  return path.join(import.meta.dirname, `${suite}-adjudication.json`);
}

/** The suite's adjudication, or null when it has none. Throws on a malformed file. */
export function loadAdjudication(suite: string, file = adjudicationFile(suite)): Adjudication | null {
  if (!existsSync(file)) return null;
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<Adjudication>;
  if (!Array.isArray(raw.pairs)) throw new Error(`${file}: no "pairs" list`);
  const seen = new Set<PairKey>();
  for (const [i, v] of raw.pairs.entries()) {
    const ok = Array.isArray(v?.pair) && v.pair.length === 2 && v.pair.every((x) => typeof x === 'string') && v.pair[0] !== v.pair[1]
      && typeof v.silver === 'boolean' && typeof v.predicted === 'boolean' && (v.verdict === 'copy' || v.verdict === 'not-copy')
      && typeof v.why === 'string' && v.why.trim() !== '';
    if (!ok) throw new Error(`${file}: pairs[${i}] needs {pair: [a, b], silver, predicted, verdict: "copy"|"not-copy", why}`);
    const k = pairKey(v.pair[0], v.pair[1]);
    if (seen.has(k)) throw new Error(`${file}: pair ${k} judged twice`);
    seen.add(k);
  }
  return { suite: raw.suite ?? suite, ...raw, pairs: raw.pairs };
}

export interface AdjudicatedLabels {
  /** The adjudicated copy pairs, transitively closed. */
  pairs: Set<PairKey>;
  /** Silver labels the verdicts turn around: missing copies added, silver pairs removed. */
  added: number;
  removed: number;
  /** Pairs only implied by closing the adjudicated pairs (they should get a verdict of their own). */
  implied: PairKey[];
  /** Pairs judged not-copy that closure brings back (verdicts that contradict each other). */
  conflicts: PairKey[];
}

export function adjudicatedLabels(silver: Set<PairKey>, adj: Adjudication): AdjudicatedLabels {
  const copy = new Set<PairKey>();
  const notCopy = new Set<PairKey>();
  for (const v of adj.pairs) (v.verdict === 'copy' ? copy : notCopy).add(pairKey(v.pair[0], v.pair[1]));
  const direct = new Set<PairKey>([...silver].filter((p) => !notCopy.has(p)));
  for (const p of copy) direct.add(p);
  const pairs = closurePairs(groupsOf(direct));
  return {
    pairs,
    added: [...copy].filter((p) => !silver.has(p)).length,
    removed: [...notCopy].filter((p) => silver.has(p)).length,
    implied: [...pairs].filter((p) => !direct.has(p)).sort(),
    conflicts: [...notCopy].filter((p) => pairs.has(p)).sort(),
  };
}

export interface PairScores {
  precision: number;
  recall: number;
  f1: number;
  tp: number;
  predicted: number;
  gold: number;
}

/** score.py's dup metrics: P = tp / predicted (1 when both are empty), R = tp / gold. */
export function pairScores(pred: Set<PairKey>, gold: Set<PairKey>): PairScores {
  let tp = 0;
  for (const p of pred) if (gold.has(p)) tp++;
  const precision = pred.size ? tp / pred.size : gold.size ? 0 : 1;
  const recall = gold.size ? tp / gold.size : pred.size ? 0 : 1;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1, tp, predicted: pred.size, gold: gold.size };
}

export interface AdjudicationReport {
  silver: PairScores;
  adjudicated: PairScores;
  labels: AdjudicatedLabels;
  verdicts: number;
  /** Pairs where today's prediction and the silver label disagree and nobody has judged them. */
  unjudged: Array<{ pair: PairKey; predicted: boolean; silver: boolean }>;
}

export function adjudicationReport(pred: Set<PairKey>, silver: Set<PairKey>, adj: Adjudication): AdjudicationReport {
  const labels = adjudicatedLabels(silver, adj);
  const judged = new Set(adj.pairs.map((v) => pairKey(v.pair[0], v.pair[1])));
  const unjudged: AdjudicationReport['unjudged'] = [];
  for (const p of pred) if (!silver.has(p) && !judged.has(p)) unjudged.push({ pair: p, predicted: true, silver: false });
  for (const p of silver) if (!pred.has(p) && !judged.has(p)) unjudged.push({ pair: p, predicted: false, silver: true });
  unjudged.sort((x, y) => (x.pair < y.pair ? -1 : x.pair > y.pair ? 1 : 0));
  return { silver: pairScores(pred, silver), adjudicated: pairScores(pred, labels.pairs), labels, verdicts: adj.pairs.length, unjudged };
}

interface AnalyzeOutput {
  articles: Array<{ id: string; file: string }>;
  stories: Array<{ copies?: string[][] }>;
}

/**
 * Predicted copy pairs of `newsdigest analyze <filesDir> --json`, as score.py builds them: each article
 * maps to its file path relative to files/ (a `#N` suffix dropped), groups of fewer than two files are
 * ignored, the rest closed transitively.
 */
export function predictedPairs(data: AnalyzeOutput, filesDir: string): Set<PairKey> {
  const root = realpathSync(filesDir);
  const docOf = new Map<string, string>();
  for (const a of data.articles) {
    const file = String(a.file ?? '').replace(/#\d+$/, '');
    let real: string;
    try {
      real = realpathSync(path.resolve(file));
    } catch {
      continue;
    }
    const rel = path.relative(root, real);
    if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) docOf.set(String(a.id), rel.split(path.sep).join('/'));
  }
  const groups: string[][] = [];
  for (const s of data.stories) {
    for (const g of s.copies ?? []) {
      const ds = [...new Set(g.map((id) => docOf.get(String(id))).filter((x): x is string => x !== undefined))].sort();
      if (ds.length > 1) groups.push(ds);
    }
  }
  return closurePairs(groups);
}

/** Silver pairs of a suite's gold.json, closed. */
export function silverPairs(suiteDir: string): Set<PairKey> {
  const gold = JSON.parse(readFileSync(path.join(suiteDir, 'gold.json'), 'utf8')) as { dupPairs?: string[][] };
  return closurePairs(gold.dupPairs ?? []);
}

const f3 = (x: number): string => x.toFixed(3);

/** The report as lines: silver vs adjudicated P/R/F1, overturned labels, and what still needs a verdict. */
export function formatReport(suite: string, r: AdjudicationReport, listUnjudged = 5): string[] {
  const { silver: s, adjudicated: a, labels: l } = r;
  const out = [
    `${suite}: copy pairs vs silver       P ${f3(s.precision)}  R ${f3(s.recall)}  F1 ${f3(s.f1)}  (${s.tp} of ${s.predicted} predicted, ${s.gold} silver)`,
    `${suite}: copy pairs vs adjudicated  P ${f3(a.precision)}  R ${f3(a.recall)}  F1 ${f3(a.f1)}  (${a.tp} of ${a.predicted} predicted, ${a.gold} adjudicated)`,
    `${suite}: ${r.verdicts} hand verdicts overturn ${l.added + l.removed} silver labels (${l.added} copies silver misses added, ${l.removed} silver pairs removed)`,
  ];
  if (l.implied.length) out.push(`${suite}: WARNING ${l.implied.length} pairs implied by closure have no verdict: ${l.implied.slice(0, listUnjudged).join(' ')}`);
  if (l.conflicts.length) out.push(`${suite}: WARNING verdicts contradict each other (not-copy, yet implied by closure): ${l.conflicts.join(' ')}`);
  if (r.unjudged.length) {
    const fp = r.unjudged.filter((u) => u.predicted).length;
    out.push(`${suite}: ${r.unjudged.length} disagreements with silver lack a verdict (${fp} predicted only, ${r.unjudged.length - fp} silver only); adjudicated figures count them as silver does`);
    for (const u of r.unjudged.slice(0, listUnjudged)) out.push(`  unjudged ${u.predicted ? 'predicted-only' : 'silver-only'} ${u.pair}`);
  }
  return out;
}
