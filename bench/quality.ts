// `npm run bench:quality`: scores `newsdigest analyze --json` on the shared development sets with the
// reference scorer (../shared/eval/score.py), so our figures are exactly the ones the project is judged by.
// Usage: npm run bench:quality [-- --suite seeds --suite ecb-dev] [--eval DIR] [--json OUT]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    suite: { type: 'string', multiple: true, default: [] },
    eval: { type: 'string', default: path.resolve(import.meta.dirname, '..', '..', 'shared', 'eval') },
    json: { type: 'string' },
  },
});

const scorer = path.join(values.eval, 'score.py');
if (!existsSync(scorer)) {
  console.error(`bench:quality: no scorer at ${scorer}; pass --eval DIR (the folder holding score.py and the suites)`);
  process.exit(2);
}
const args = [scorer, '--project', path.resolve(import.meta.dirname, '..'), '--cases', values.eval];
for (const s of values.suite) args.push('--suite', s);
if (values.json) args.push('--json', values.json);
const run = spawnSync('python3', args, { stdio: 'inherit' });
process.exit(run.status ?? 1);
