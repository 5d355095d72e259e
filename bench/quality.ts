// `npm run bench:quality`: scores `newsdigest analyze --json` on the shared development sets with the
// reference scorer (../shared/eval/score.py), so our figures are exactly the ones the project is judged by.
// Suites with hand verdicts on their silver copy pairs (bench/<suite>-adjudication.json, see
// bench/adjudication.ts) also get copy-pair P/R/F1 against the adjudicated labels, printed after the
// scorer's table and added to --json OUT under suites.<suite>.adjudicated.
// Usage: npm run bench:quality [-- --suite seeds --suite ecb-dev] [--eval DIR] [--json OUT]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { adjudicationReport, formatReport, loadAdjudication, predictedPairs, silverPairs } from './adjudication.ts';

const { values } = parseArgs({
  options: {
    suite: { type: 'string', multiple: true, default: [] },
    eval: { type: 'string', default: path.resolve(import.meta.dirname, '..', '..', 'shared', 'eval') },
    json: { type: 'string' },
  },
});

const root = path.resolve(import.meta.dirname, '..');
const scorer = path.join(values.eval, 'score.py');
if (!existsSync(scorer)) {
  console.error(`bench:quality: no scorer at ${scorer}; pass --eval DIR (the folder holding score.py and the suites)`);
  process.exit(2);
}
// The scorer's figures go to a JSON file too (the caller's --json, else a temporary one), so the
// silver copy-pair figures recomputed below can be checked against the reference ones.
const tmp = mkdtempSync(path.join(tmpdir(), 'bench-quality-'));
const jsonOut = values.json ? path.resolve(values.json) : path.join(tmp, 'scores.json');
const args = [scorer, '--project', root, '--cases', values.eval, '--json', jsonOut];
for (const s of values.suite) args.push('--suite', s);
const run = spawnSync('python3', args, { stdio: 'inherit' });

type Scores = { suites: Record<string, { metrics: Record<string, number>; adjudicated?: unknown }> };
let status = run.status ?? 1;
if (existsSync(jsonOut)) {
  const scores = JSON.parse(readFileSync(jsonOut, 'utf8')) as Scores;
  let changed = false;
  for (const [suite, res] of Object.entries(scores.suites)) {
    const adj = loadAdjudication(suite);
    if (!adj || res.metrics.dup_precision === undefined) continue;
    const suiteDir = path.join(values.eval, suite);
    const filesDir = path.join(suiteDir, 'files');
    // score.py runs the CLI itself and keeps no copy of its output: run it once more (deterministic).
    const cli = spawnSync(process.execPath, [path.join(root, 'bin', 'newsdigest.js'), 'analyze', filesDir, '--json'], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    });
    if (cli.status !== 0) {
      console.error(`bench:quality: analyze ${suite} for the adjudicated figures exited ${cli.status}: ${cli.stderr.slice(-500)}`);
      status ||= 1;
      continue;
    }
    const r = adjudicationReport(predictedPairs(JSON.parse(cli.stdout), filesDir), silverPairs(suiteDir), adj);
    console.log('');
    for (const line of formatReport(suite, r)) console.log(line);
    const ref = { p: res.metrics.dup_precision, r: res.metrics.dup_recall ?? Number.NaN };
    if (!(Math.abs(ref.p - r.silver.precision) <= 1e-9 && Math.abs(ref.r - r.silver.recall) <= 1e-9)) {
      console.error(`bench:quality: ${suite} silver copy pairs recomputed as P ${r.silver.precision} R ${r.silver.recall}, score.py says P ${ref.p} R ${ref.r}`);
      status ||= 1;
    }
    res.adjudicated = {
      dup_precision: r.adjudicated.precision,
      dup_recall: r.adjudicated.recall,
      dup_f1: r.adjudicated.f1,
      dup_pairs_pred: r.adjudicated.predicted,
      dup_pairs_gold: r.adjudicated.gold,
      verdicts: r.verdicts,
      overturned: r.labels.added + r.labels.removed,
      added: r.labels.added,
      removed: r.labels.removed,
      unjudged: r.unjudged.length,
    };
    changed = true;
  }
  if (values.json && changed) writeFileSync(jsonOut, `${JSON.stringify(scores, null, 1)}\n`);
}
rmSync(tmp, { recursive: true, force: true });
process.exit(status);
