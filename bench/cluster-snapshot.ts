// Fingerprint of clusterArticles's output, to check that a change to the clustering code changes no
// copy group, story or reason: run it before and after, the hashes must match.
//
//   npx tsx bench/cluster-snapshot.ts [suiteDir ...] [--scale 10000,30000,100000] [--seed 1] [--opt key=value ...]
//
// (`--scale ''` skips the scale corpus; `--opt` sets clustering options, as in bench/cluster-quality.ts.)
// Per corpus: the SHA-256 of the JSON of the stories, and the stats (there are no timings in them).
// Default suites: ../shared/eval/ecb-dev beside the repo and the repo's seeds/, read as
// bench/cluster-quality.ts reads them (loadSuite); then the first 10k, 30k and 100k articles of the
// synthetic scale corpus (bench/corpus.ts, cached in /tmp).
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { type ClusterItem, type ClusterOptions, clusterArticles } from '../functions/core/cluster.ts';
import { loadSuite } from './cluster-quality.ts';
import { defaultSource, loadOrGenerate } from './corpus.ts';

function snapshot(name: string, items: ClusterItem[], opts: Partial<ClusterOptions>): void {
  const t = performance.now();
  const { stories, stats } = clusterArticles(items, opts);
  const ms = performance.now() - t;
  const sha = createHash('sha256').update(JSON.stringify(stories)).digest('hex');
  const copies = stories.reduce((s, x) => s + x.copies.length, 0);
  console.log(`${name}: stories sha256 ${sha}  stats ${JSON.stringify(stats)}  (${stories.length} stories, ${copies} copy groups; ${(ms / 1000).toFixed(2)} s)`);
}

const args = process.argv.slice(2);
const get = (k: string, d: string): string => {
  const i = args.indexOf(k);
  return i >= 0 ? args[i + 1]! : d;
};
const opts: Record<string, number> = {};
const dirs: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--opt') {
    const [k, v] = args[++i]!.split('=');
    opts[k!] = Number(v);
  } else if (args[i]!.startsWith('--')) i++;
  else dirs.push(resolve(args[i]!));
}
if (Object.keys(opts).length) console.log(`options ${JSON.stringify(opts)}`);
if (dirs.length === 0) dirs.push(join(import.meta.dirname, '..', '..', 'shared', 'eval', 'ecb-dev'), join(import.meta.dirname, '..', 'seeds'));
for (const d of dirs) snapshot(d, (await loadSuite(d)).items, opts);

const sizes = get('--scale', '10000,30000,100000').split(',').filter(Boolean).map(Number);
if (sizes.length) {
  const seed = Number(get('--seed', '1'));
  const all = await loadOrGenerate(Math.max(...sizes), seed, defaultSource);
  for (const n of sizes) snapshot(`scale ${n} (seed ${seed})`, all.slice(0, n), opts);
}
