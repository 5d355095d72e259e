// For modules that are their own worker script (the parse runner, the local ingest threads).
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The Worker script that re-runs the module at `selfUrl`. From source, the worker first installs tsx's
 * TypeScript loader (loader hooks are not inherited by workers), as eval'd code; from a bundle, where the module
 * is inlined into index.mjs, it is the bundle file itself.
 */
export function selfWorkerScript(selfUrl: string): { script: string; eval: boolean } {
  if (!selfUrl.endsWith('.ts')) return { script: fileURLToPath(selfUrl), eval: false };
  const tsxApi = pathToFileURL(createRequire(selfUrl).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  return { script: `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(selfUrl)}); });`, eval: true };
}
