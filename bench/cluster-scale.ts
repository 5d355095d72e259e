// Scale benchmark: clustering stored fingerprints of the synthetic corpus (bench/corpus.ts).
//
//   node --expose-gc --import tsx bench/cluster-scale.ts [--sizes 10000,30000,100000] [--seed 1] [--brute 10000]
//
// (`npm run bench` runs it so. With --expose-gc each size starts after a full GC, so one size's garbage
// is not collected on the next one's clock.)
//
// For each size: wall time of clusterArticles, peak RSS (resourceUsage().maxRSS), candidate pairs,
// copy recall/precision on the injected copies (pairs inside predicted copy groups vs pairs inside
// injected groups). At --brute N: the all-pairs verification cost, measured on a random sample of
// pairs and extrapolated, against the candidate-based run.
import { resourceUsage } from 'node:process';
import { type Story, clusterArticles, defaultClusterOptions } from '../functions/core/cluster.ts';
import { buildCorpus } from '../functions/core/similarity/index.ts';
import { PairScorer } from '../functions/core/similarity/pairs.ts';
import { type CorpusArticle, defaultSource, loadOrGenerate, mulberry32 } from './corpus.ts';

const args = process.argv.slice(2);
const get = (k: string, d: string): string => {
  const i = args.indexOf(k);
  return i >= 0 ? args[i + 1]! : d;
};
const sizes = get('--sizes', '10000,30000,100000').split(',').map(Number);
const seed = Number(get('--seed', '1'));
const brute = Number(get('--brute', '10000'));
const src = get('--source', defaultSource);

function pairsOf(groups: string[][]): Set<string> {
  const out = new Set<string>();
  for (const g of groups) {
    const s = [...g].sort();
    for (let i = 0; i < s.length; i++) for (let j = i + 1; j < s.length; j++) out.add(`${s[i]}|${s[j]}`);
  }
  return out;
}

/** Copy pairs of the injected copies (an original and its copies form a group). */
function injectedPairs(items: CorpusArticle[]): Set<string> {
  const gold = new Map<string, string[]>();
  for (const a of items) {
    const root = a.copyOf ?? a.id;
    gold.set(root, [...(gold.get(root) ?? []), a.id]);
  }
  return pairsOf([...gold.values()].filter((g) => g.length > 1));
}

/** Story purity on the synthetic story labels (B-cubed precision and recall). */
function storyBCubed(stories: Story[], items: CorpusArticle[]): { p: number; r: number } {
  const label = new Map(items.map((a) => [a.id, a.story]));
  const gsize = new Map<number, number>();
  for (const a of items) gsize.set(a.story, (gsize.get(a.story) ?? 0) + 1);
  let bp = 0;
  let br = 0;
  for (const s of stories) {
    const cnt = new Map<number, number>();
    for (const id of s.articles) cnt.set(label.get(id)!, (cnt.get(label.get(id)!) ?? 0) + 1);
    for (const id of s.articles) {
      const c = cnt.get(label.get(id)!)!;
      bp += c / s.articles.length;
      br += c / gsize.get(label.get(id)!)!;
    }
  }
  return { p: bp / items.length, r: br / items.length };
}

/** All-pairs verification cost, sampled, against the candidate-based run's `ms`. */
function bruteForce(items: CorpusArticle[], ms: number): void {
  const n = items.length;
  const corpus = buildCorpus(items.map((a) => a.fingerprint));
  const scorer = new PairScorer(corpus, items.map((a) => (a.publishedAt ? Date.parse(a.publishedAt) : null)), 3);
  const rnd = mulberry32(7);
  const sample = 300_000;
  const ts = performance.now();
  for (let k = 0; k < sample; k++) {
    const a = Math.floor(rnd() * n);
    let b = Math.floor(rnd() * n);
    if (b === a) b = (b + 1) % n;
    scorer.copy(a, b, defaultClusterOptions.copyGate, defaultClusterOptions.sentenceShare);
    scorer.story(a, b);
  }
  const per = (performance.now() - ts) / sample;
  const allPairs = (n * (n - 1)) / 2;
  console.log(
    `  brute force at n=${n}: ${allPairs.toExponential(2)} pairs x ${(per * 1000).toFixed(2)} us/pair (sampled) = ~${((per * allPairs) / 1000).toFixed(0)} s for verification alone, ` +
      `vs ${(ms / 1000).toFixed(2)} s for the whole candidate-based run (${((per * allPairs) / ms).toFixed(0)}x)`,
  );
}

const max = Math.max(...sizes);
const t0 = performance.now();
const all = await loadOrGenerate(max, seed, src);
const { loadavg } = await import('node:os');
console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${(await import('node:os')).cpus().length} cores`);
console.log(`corpus: ${all.length} articles (seed ${seed}), loaded/generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const fpBytes = all.reduce((s, a) => s + JSON.stringify(a.fingerprint).length, 0);
console.log(`mean words ${(all.reduce((s, a) => s + a.words, 0) / all.length).toFixed(0)}, mean fingerprint JSON ${(fpBytes / all.length).toFixed(0)} B`);

for (const n of sizes) {
  const items: CorpusArticle[] = all.slice(0, n);
  const goldPairs = injectedPairs(items);
  (globalThis as { gc?: () => void }).gc?.();
  const rssBefore = process.memoryUsage().rss;
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  const phases: Array<[string, number]> = [];
  const { stories, stats } = clusterArticles(items, { onPhase: (name, phaseMs) => phases.push([name, phaseMs]) });
  const ms = performance.now() - t;
  const cpu = process.cpuUsage(cpu0);
  const pred = pairsOf(stories.flatMap((s) => s.copies));
  let tp = 0;
  for (const p of pred) if (goldPairs.has(p)) tp++;
  const { p: bp, r: br } = storyBCubed(stories, items);
  console.log(
    `n=${n}: cluster ${(ms / 1000).toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU, maxRSS ${(resourceUsage().maxRSS / 1024).toFixed(0)} MB (rss before ${(rssBefore / 2 ** 20).toFixed(0)} MB), ` +
      `candidates ${stats.candidates} (${((stats.candidates / ((n * (n - 1)) / 2)) * 100).toFixed(3)}% of all pairs), stories ${stories.length}, ` +
      `copy recall ${(tp / goldPairs.size).toFixed(3)} precision ${(pred.size ? tp / pred.size : 1).toFixed(3)} (${goldPairs.size} injected pairs, ${pred.size} predicted), ` +
      `story B3 P ${bp.toFixed(3)} R ${br.toFixed(3)}`,
  );
  console.log(`  phases (s): ${phases.map(([k, v]) => `${k} ${(v / 1000).toFixed(2)}`).join(', ')}`);
  if (n === brute) bruteForce(items, ms);
}
