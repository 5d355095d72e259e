// `npm run fuzz`: seeded, reproducible mutation fuzzing of the bounded parser worker (parsing and the records it
// builds, as ingest runs it) with the project's own fixtures.
// Every case must end as an article or a rejection: no crash, no hang past the per-file limit, no memory
// blow-up. Options: --cases N (default 10000) --seed N --timeout MS --workers N
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { defaultParseLimits } from '../functions/core/parse/limits.ts';
import { mapLimit } from '../functions/pipeline/digest.ts';
import { workerParseRunner } from '../functions/pipeline/parse-runner.ts';
import { mulberry32 } from './corpus.ts';

const root = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    timeout: { type: 'string', default: '10000' },
    workers: { type: 'string', default: '2' },
  },
});

function walk(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const fixtures = [...walk(path.join(root, 'test', 'fixtures')), ...walk(path.join(root, 'seeds'))].map((file) => ({
  name: path.basename(file),
  body: readFileSync(file),
}));

const rnd = mulberry32(Number(values.seed));
const int = (n: number) => Math.floor(rnd() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;

type Mutation = (b: Buffer, name: string) => { name: string; body: Buffer };
const same = (name: string, body: Buffer) => ({ name, body });
const splice = (b: Buffer, insert: Buffer) => {
  const at = int(b.length + 1);
  return Buffer.concat([b.subarray(0, at), insert, b.subarray(at)]);
};

const MUTATIONS: Record<string, Mutation> = {
  truncate: (b, n) => same(n, b.subarray(0, int(b.length + 1))),
  byteFlips: (b, n) => {
    const c = Buffer.from(b);
    for (let i = 0, k = 1 + int(20); i < k && c.length; i++) c[int(c.length)] = int(256);
    return same(n, c);
  },
  invalidUtf8: (b, n) => same(n, splice(b, Buffer.from([0xc3, 0x28, 0xe2, 0x82, 0xff, 0xfe, 0x80]))),
  giantAttribute: (b, n) => same(n, splice(b, Buffer.from(`<div data-x="${'a'.repeat(200_000 + int(2_000_000))}">`))),
  nestedTags: (b, n) => same(n, splice(b, Buffer.from('<div><span>'.repeat(1000 + int(50_000))))),
  billionLaughs: (_b, n) => {
    const ents = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`)];
    return same(n.replace(/\.\w+$/, '.xml'), Buffer.from(`<?xml version="1.0"?><!DOCTYPE rss [${ents.join('')}]><rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title><description>&lol9;</description></item></channel></rss>`));
  },
  gzipBomb: (_b, n) => same(`${n}.gz`, gzipSync(Buffer.alloc(150 * 1024 * 1024, 0x20), { level: 9 })),
  gzipped: (b, n) => same(`${n}.gz`, gzipSync(b)),
  hugeJsonNumbers: (_b, n) => same(n.replace(/\.\w+$/, '.json'), Buffer.from(`{"title":"Numbers ${'9'.repeat(400)}","text":"${'word '.repeat(40)}","count":1e999999,"id":${'9'.repeat(5000)}}`)),
  prototypeKeys: (_b, n) => same(n.replace(/\.\w+$/, '.jsonl'), Buffer.from(`{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},"title":"Proto","text":"${'safe words here '.repeat(10)}"}\n{"title":{"__proto__":1},"text":5}\n`)),
  controlChars: (b, n) => same(n, splice(b, Buffer.from(Array.from({ length: 50 }, () => 1 + int(30))))),
  rtlOverrides: (b, n) => same(n, splice(b, Buffer.from('\u202e\u2066evil\u2069\u202d\u200f', 'utf8'))),
  deepJson: (_b, n) => same(n.replace(/\.\w+$/, '.json'), Buffer.from('['.repeat(100_000 + int(100_000)))),
  oneGiantLine: (_b, n) => same(n.replace(/\.\w+$/, '.txt'), Buffer.alloc(2_000_000 + int(4_000_000), 0x61)),
  duplicateContent: (b, n) => same(n, Buffer.concat([b, b, b])),
};
// The expensive ones are rarer, so 10,000 cases stay quick.
const WEIGHTS: Array<[keyof typeof MUTATIONS, number]> = [
  ['truncate', 20], ['byteFlips', 25], ['invalidUtf8', 10], ['giantAttribute', 2], ['nestedTags', 3], ['billionLaughs', 1],
  ['gzipBomb', 0.2], ['gzipped', 4], ['hugeJsonNumbers', 2], ['prototypeKeys', 2], ['controlChars', 8], ['rtlOverrides', 8],
  ['deepJson', 1], ['oneGiantLine', 0.5], ['duplicateContent', 3],
];
const total = WEIGHTS.reduce((n, [, w]) => n + w, 0);
function chooseMutation(): keyof typeof MUTATIONS {
  let x = rnd() * total;
  for (const [m, w] of WEIGHTS) if ((x -= w) < 0) return m;
  return 'truncate';
}

const cases = Array.from({ length: Number(values.cases) }, (_, i) => {
  const f = pick(fixtures);
  const mutation = chooseMutation();
  return { i, mutation, ...MUTATIONS[mutation]!(f.body, f.name) };
});

const runner = workerParseRunner({ timeoutMs: Number(values.timeout), workers: Number(values.workers), maxHeapMb: 768 });
// What ingest runs in the bounded worker: parsing and the records (ids, fingerprints), received at a fixed time.
const receivedAt = '2025-01-01T00:00:00.000Z';
// Warm every parser thread first, so per-case times measure parsing, not thread start-up.
await Promise.all(Array.from({ length: Number(values.workers) }, () => runner.records(fixtures[0]!.name, fixtures[0]!.body, defaultParseLimits, receivedAt)));
const started = performance.now();
const tally = { articles: 0, rejected: 0, crashed: 0, timedOut: 0, outOfMemory: 0 };
const byMutation = new Map<string, { n: number; maxMs: number }>();
const problems: string[] = [];
let done = 0;
await mapLimit(cases, Number(values.workers), async (c) => {
  const t = performance.now();
  const outcome = await runner.records(c.name, c.body, defaultParseLimits, receivedAt);
  const ms = performance.now() - t;
  const stat = byMutation.get(c.mutation) ?? { n: 0, maxMs: 0 };
  stat.n++;
  stat.maxMs = Math.max(stat.maxMs, ms);
  byMutation.set(c.mutation, stat);
  const reasons = outcome.errors.map((e) => e.error).join('; ');
  if (/took longer than/.test(reasons)) tally.timedOut++;
  else if (/more than \d+ MB of memory/.test(reasons)) tally.outOfMemory++;
  else if (/parser (crashed|failed|stopped)/.test(reasons)) tally.crashed++;
  else if (outcome.records.length > 0) tally.articles++;
  else if (outcome.errors.length > 0) tally.rejected++;
  else problems.push(`case ${c.i} (${c.mutation} of ${c.name}): neither article nor rejection`);
  if (/took longer|MB of memory|parser (crashed|failed|stopped)/.test(reasons)) problems.push(`case ${c.i} (${c.mutation} of ${c.name}): ${reasons}`);
  if (++done % 1000 === 0) console.error(`  ${done}/${cases.length}`);
});
await runner.close();
const seconds = (performance.now() - started) / 1000;
console.log(`cases        ${cases.length} (seed ${values.seed}, ${fixtures.length} fixtures, ${seconds.toFixed(1)} s)`);
console.log(`articles     ${tally.articles}`);
console.log(`rejections   ${tally.rejected}`);
console.log(`crashes      ${tally.crashed}`);
console.log(`timeouts     ${tally.timedOut} (limit ${values.timeout} ms)`);
console.log(`out of memory ${tally.outOfMemory}`);
console.log(`peak RSS     ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (main thread and parser threads)`);
console.log('slowest case per mutation (a case that stopped a parser thread also pays for its replacement):');
for (const [m, s] of [...byMutation].sort()) console.log(`  ${m.padEnd(18)} ${String(s.n).padStart(5)} cases, max ${s.maxMs.toFixed(0)} ms`);
for (const p of problems.slice(0, 20)) console.log(`PROBLEM ${p}`);
process.exitCode = problems.length ? 1 : 0;
