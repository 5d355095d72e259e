// Finds each function's bundled code folder in a synthesized cloud assembly (for the bundle test and bench).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { REPO_ROOT, type HandlerName } from './functions.ts';
import type { NewsdigestStack } from './stack.ts';

export interface FunctionBundle {
  /** The staged asset folder: index.mjs, its source map, and templates/ where the function renders. */
  dir: string;
  /** The function's environment as synthesized, literal values only (BUCKET is a reference). */
  env: Record<string, string>;
}

interface Template {
  Resources: Record<string, { Properties: { Code: { S3Key?: string }; Environment?: { Variables: Record<string, unknown> } } }>;
}
interface AssetManifest {
  files: Record<string, { source: { path: string }; destinations: Record<string, { objectKey: string }> }>;
}

export function functionBundles(assembly: CloudAssembly, stack: NewsdigestStack): Map<HandlerName, FunctionBundle> {
  const artifact = assembly.getStackArtifact(stack.artifactId);
  const template = artifact.template as Template;
  // The asset manifest says which staged folder becomes which uploaded object (the function's S3Key).
  const manifest = JSON.parse(readFileSync(path.join(assembly.directory, `${stack.artifactId}.assets.json`), 'utf8')) as AssetManifest;
  const folderFor = (objectKey: string | undefined) =>
    Object.values(manifest.files).find((f) => Object.values(f.destinations).some((d) => d.objectKey === objectKey))?.source.path;
  const out = new Map<HandlerName, FunctionBundle>();
  for (const [name, f] of stack.functions) {
    const resource = template.Resources[stack.getLogicalId(f.fn.node.defaultChild as CfnFunction)];
    const folder = folderFor(resource?.Properties.Code.S3Key);
    if (!resource || !folder) throw new Error(`${name}: its code asset is not in the synthesized output (was bundling skipped?)`);
    const vars = resource.Properties.Environment?.Variables ?? {};
    const env = Object.fromEntries(Object.entries(vars).filter((e): e is [string, string] => typeof e[1] === 'string'));
    out.set(name, { dir: path.join(assembly.directory, folder), env });
  }
  return out;
}

/**
 * Makes the AWS SDK resolvable from bundles staged under `dir`, as the Lambda runtime does for /var/task: a
 * `node_modules/@aws-sdk` beside the asset folders that links to the project's copy and holds nothing else, so any
 * other package a bundle failed to include still fails to load.
 */
export function provideRuntimeSdk(dir: string): void {
  mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  if (existsSync(path.join(dir, 'node_modules', '@aws-sdk'))) return;
  symlinkSync(path.join(REPO_ROOT, 'node_modules', '@aws-sdk'), path.join(dir, 'node_modules', '@aws-sdk'), 'dir');
}

const PACKAGE_SPECIFIER = /^(?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(?:\/[\w.-]+)*$/;

/** Bare module specifiers a bundle imports or requires (Node builtins aside): what the runtime must provide. */
export function bareImports(code: string): string[] {
  const found = new Set<string>();
  for (const m of code.matchAll(/(?:\bfrom\s*|\b(?:import|require)\s*\(?\s*)["']([^"'./][^"']*)["']/g)) {
    // Only what reads as a package name: code generators in some dependencies hold strings like "${x}".
    if (PACKAGE_SPECIFIER.test(m[1]!) && !isBuiltin(m[1]!)) found.add(m[1]!);
  }
  return [...found].sort();
}

/**
 * The AWS SDK clients a bundle loads from the runtime when imported (a cold start), read from Node's module cache in
 * a fresh process: the bundles name them only as strings handed to require() (infra/bundle-stubs).
 */
export function sdkClientsLoadedBy(bundleFile: string): string[] {
  const probe = `import { createRequire } from 'node:module';
await import(${JSON.stringify(pathToFileURL(bundleFile).href)});
const names = Object.keys(createRequire(import.meta.url).cache).map((f) => /node_modules\\/(@aws-sdk\\/client-[a-z0-9-]+)\\//.exec(f)?.[1]);
process.stdout.write(JSON.stringify([...new Set(names.filter(Boolean))].sort()));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: path.dirname(bundleFile), env: { PATH: process.env.PATH } });
  return JSON.parse(out.toString()) as string[];
}
