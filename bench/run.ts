// `npm run bench`: every speed and size benchmark in turn, each printing its own figures.
// Quality is `npm run bench:quality`, load is `npm run bench:load`, fuzzing is `npm run fuzz`.
// `npm run bench -- parse render` runs only the named ones.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const evalDir = path.join(root, '..', 'shared', 'eval');

const BENCHES: Array<{ name: string; what: string; script: string; args: string[]; needs?: string; node?: string[] }> = [
  { name: 'parse', what: 'HTML parsing throughput on one core (scrapinghub pages)', script: 'parse-speed.ts', args: [], needs: path.join(evalDir, 'scrapinghub', 'files') },
  { name: 'cluster', what: 'clustering 10k / 30k / 100k stored fingerprints, and brute force at 10k', script: 'cluster-scale.ts', args: [], node: ['--expose-gc'], needs: path.join(evalDir, 'ecb-dev', 'files') },
  { name: 'continuity', what: 'the continuity step on a 100k-article edition against the previous edition, next to the rebuild', script: 'continuity.ts', args: [], node: ['--expose-gc'], needs: path.join(evalDir, 'ecb-dev', 'files') },
  { name: 'story-pages', what: 'story pages after 30 daily editions of 10k articles: time and objects written per edition', script: 'story-pages.ts', args: [] },
  { name: 'render', what: 'rendering a 1,000-story edition; email size of a 50-story edition', script: 'render.ts', args: [] },
  { name: 'deliver-scale', what: '10,000 subscribers, 50 preference sets, a 1,000-story edition: renders/s and the time to hand every message to local SMTP', script: 'deliver-scale.ts', args: [] },
  { name: 'bundles', what: 'Lambda bundle sizes and cold-start import times', script: 'bundles.ts', args: [] },
];

const only = process.argv.slice(2);
let failed = 0;
for (const b of BENCHES) {
  if (only.length && !only.includes(b.name)) continue;
  console.log(`\n== ${b.name}: ${b.what}`);
  if (b.needs && !existsSync(b.needs)) {
    console.log(`   skipped: needs ${path.relative(root, b.needs)} (the shared development sets)`);
    continue;
  }
  const r = spawnSync(process.execPath, [...b.node ?? [], '--import', 'tsx', path.join(root, 'bench', b.script), ...b.args], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  if (r.status !== 0) {
    failed++;
    console.log(`   ${b.name} exited with ${r.status}`);
  }
}
process.exitCode = failed ? 1 : 0;
