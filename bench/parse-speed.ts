// HTML parsing speed on one core: pages/s, MB/s, CPU time and peak RSS over a directory of pages.
//   npx tsx bench/parse-speed.ts [dir=../shared/eval/scrapinghub/files] [--rounds 3]
import { readFileSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseHtml } from '../functions/core/parse/html.ts';

const args = process.argv.slice(2);
const roundsAt = args.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(args[roundsAt + 1]) : 3;
const dir = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--rounds') ?? join(import.meta.dirname, '..', '..', 'shared', 'eval', 'scrapinghub', 'files');
const pages = readdirSync(dir).filter((f) => /\.x?html?$/i.test(f)).sort().map((f) => readFileSync(join(dir, f), 'utf8'));
const bytes = pages.reduce((n, p) => n + Buffer.byteLength(p), 0);

let peak = process.memoryUsage().rss;
const sample = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
// Warm-up round (JIT), then the measured rounds.
for (const p of pages) { try { parseHtml(p, { fileName: 'x.html' }); } catch { /* rejected pages count too */ } }
let best = Infinity, bestCpu = Infinity, failed = 0;
for (let r = 0; r < rounds; r++) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  failed = 0;
  for (const p of pages) {
    try { parseHtml(p, { fileName: 'x.html' }); } catch { failed++; }
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  best = Math.min(best, (performance.now() - t0) / 1000);
  const cpu = process.cpuUsage(cpu0);
  bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1e6);
}
clearInterval(sample);
console.log(`${pages.length} pages, ${(bytes / 1e6).toFixed(1)} MB, ${failed} rejected, best of ${rounds} rounds (load avg ${loadavg()[0]!.toFixed(1)})`);
console.log(`wall: ${best.toFixed(2)} s = ${(pages.length / best).toFixed(1)} pages/s, ${(bytes / 1e6 / best).toFixed(2)} MB/s`);
console.log(`cpu:  ${bestCpu.toFixed(2)} s = ${(pages.length / bestCpu).toFixed(1)} pages/s per core`);
console.log(`peak RSS: ${(peak / 1e6).toFixed(0)} MB`);
