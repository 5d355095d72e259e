// Lambda bundle size and cold-start import time, per function, from a real synth.
//   npx tsx bench/bundles.ts [--runs 7]
// Size: the minified index.mjs CDK stages (goal ≤ 1 MB), its gzip size, the source map, and which packages
// weigh most (an esbuild metafile of the same build). Cold start: `import()` of the bundle in a fresh `node`
// process, as Lambda's init does (goal ≤ 300 ms), with and without --enable-source-maps (the deployed setting).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { functionBundles, provideRuntimeSdk, sdkClientsLoadedBy } from '../infra/assets.ts';
import { buildApp } from '../infra/build.ts';
import { HANDLER_SPECS, bundlingOptions, handlerEntry } from '../infra/functions.ts';

const run = promisify(execFile);
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 7;
const SIZE_GOAL = 1_000_000;
const START_GOAL_MS = 300;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const kb = (n: number) => `${(n / 1024).toFixed(0)} KiB`;

function dirBytes(dir: string): number {
  return readdirSync(dir).reduce((sum, f) => {
    const p = path.join(dir, f);
    const s = statSync(p);
    return sum + (s.isDirectory() ? dirBytes(p) : s.size);
  }, 0);
}

/** Bytes in the minified output per package (node_modules/<pkg>, or the project's own code). */
function weights(meta: Metafile): Map<string, number> {
  const out = new Map<string, number>();
  for (const o of Object.values(meta.outputs)) {
    for (const [file, i] of Object.entries(o.inputs)) {
      const nm = file.split('node_modules/').pop()!;
      const parts = nm.split('/');
      const pkg = file.includes('node_modules/') ? (parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!) : '(project code)';
      out.set(pkg, (out.get(pkg) ?? 0) + i.bytesInOutput);
    }
  }
  return out;
}


interface ImportTimes {
  /** Wall time of `import()` of the bundle (median). */
  importMs: number;
  /** CPU time (user + system) the import took: what a quiet machine's wall time would be, less sensitive to load. */
  importCpuMs: number;
  /** Of the import, the CPU time of loading the runtime-provided modules alone (the AWS SDK), measured first. */
  runtimeCpuMs: number;
  /** The whole `node` process, start to exit. */
  processMs: number;
}

async function importTimes(file: string, sourceMaps: boolean, runtimeModules: string[]): Promise<ImportTimes> {
  // The runtime modules are timed on their own in a separate process, so the bundle's import is measured cold.
  // The bundles load the runtime's SDK with require() (infra/bundle-stubs), so the SDK alone is timed the same way.
  const timed = (specifiers: string[], how: 'import' | 'require') => `const c0 = process.cpuUsage(); const t0 = performance.now();
const load = ${how === 'import' ? '(s) => import(s)' : "(await import('node:module')).createRequire(process.cwd() + '/')"};
for (const s of ${JSON.stringify(specifiers)}) await load(s);
const c = process.cpuUsage(c0); process.stdout.write(JSON.stringify({ wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 }));`;
  const samples = { importMs: [] as number[], importCpuMs: [] as number[], runtimeCpuMs: [] as number[], processMs: [] as number[] };
  const cwd = path.dirname(file);
  const env = { PATH: process.env.PATH, ...(sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}) };
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', timed([pathToFileURL(file).href], 'import')], { cwd, env });
    samples.processMs.push(performance.now() - t0);
    const bundle = JSON.parse(stdout) as { wall: number; cpu: number };
    samples.importMs.push(bundle.wall);
    samples.importCpuMs.push(bundle.cpu);
    if (runtimeModules.length > 0) {
      const { stdout: rt } = await run(process.execPath, ['--input-type=module', '-e', timed(runtimeModules, 'require')], { cwd, env });
      samples.runtimeCpuMs.push((JSON.parse(rt) as { cpu: number }).cpu);
    } else samples.runtimeCpuMs.push(0);
  }
  return {
    importMs: median(samples.importMs),
    importCpuMs: median(samples.importCpuMs),
    runtimeCpuMs: median(samples.runtimeCpuMs),
    processMs: median(samples.processMs),
  };
}

async function main(): Promise<void> {
  const outdir = mkdtempSync(path.join(tmpdir(), 'newsdigest-bench-'));
  try {
    const t0 = performance.now();
    const { app, stack } = buildApp({ appProps: { outdir }, nag: false });
    const bundles = functionBundles(app.synth(), stack);
    // Cold starts load the AWS SDK from outside the bundle, as Lambda's runtime provides it.
    provideRuntimeSdk(outdir);
    const { loadavg } = await import('node:os');
    console.log(`synth with esbuild bundling: ${((performance.now() - t0) / 1000).toFixed(1)} s, ${runs} cold starts per bundle (median), load average ${loadavg()[0]!.toFixed(1)}\n`);

    const o0 = bundlingOptions(HANDLER_SPECS.ingest);
    const rows: string[][] = [];
    const heavy: string[] = [];
    for (const [name, b] of bundles) {
      const index = readFileSync(path.join(b.dir, 'index.mjs'));
      const map = statSync(path.join(b.dir, 'index.mjs.map')).size;
      // Same entry and options as the stack's bundling, with a metafile to attribute the bytes.
      const o = bundlingOptions(HANDLER_SPECS[name]);
      const res = await build({
        entryPoints: [handlerEntry(name)],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: o.target,
        minify: true,
        mainFields: o.mainFields,
        banner: { js: o.banner! },
        external: o.externalModules,
        // The stack passes its aliases as esbuild arguments (`--alias:from`: `to`).
        alias: Object.fromEntries(
          Object.entries(o.esbuildArgs ?? {})
            .filter(([k]) => k.startsWith('--alias:'))
            .map(([k, v]) => [k.slice('--alias:'.length), String(v)]),
        ),
        write: false,
        metafile: true,
        logLevel: 'silent',
        outfile: 'index.mjs',
      });
      const w = weights(res.metafile);
      const provided = sdkClientsLoadedBy(path.join(b.dir, 'index.mjs'));
      const cold = await importTimes(path.join(b.dir, 'index.mjs'), true, provided);
      const coldNoMaps = await importTimes(path.join(b.dir, 'index.mjs'), false, []);
      rows.push([
        name,
        `${kb(index.length)} ${index.length <= SIZE_GOAL ? 'ok' : 'OVER'}`,
        kb(gzipSync(index).length),
        kb(map),
        kb(dirBytes(b.dir)),
        `${cold.importMs.toFixed(0)} ms ${cold.importMs <= START_GOAL_MS ? 'ok' : 'OVER'}`,
        `${cold.importCpuMs.toFixed(0)} ms ${cold.importCpuMs <= START_GOAL_MS ? 'ok' : 'OVER'} (SDK ${cold.runtimeCpuMs.toFixed(0)})`,
        `${coldNoMaps.importMs.toFixed(0)} ms`,
        `${cold.processMs.toFixed(0)} ms`,
      ]);
      const top = [...w].sort((a, b2) => b2[1] - a[1]).slice(0, 8);
      heavy.push(`${name}: ${top.map(([k, v]) => `${k} ${kb(v)}`).join(', ')}`);
    }

    const head = ['function', 'index.mjs (≤1 MB)', 'gzip', 'source map', 'asset folder', 'import, source maps on (≤300 ms)', 'CPU of that import (of it SDK)', 'import, maps off', 'whole node process'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
    console.log(line(head));
    console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
    for (const r of rows) console.log(line(r));
    console.log('\nheaviest packages in each bundle (minified bytes):');
    for (const h of heavy) console.log(`  ${h}`);
    console.log(
      `\nLeft to the Lambda runtime (not in the bundles, loaded from node_modules in the cold starts above): ${o0.externalModules!.join(', ')}.\n` +
        'The nodejs22.x runtime ships the AWS SDK v3 and AWS patches it there; see infra/functions.ts.',
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

await main();
