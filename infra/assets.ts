// Finds each function's bundled code folder in a synthesized cloud assembly (for the bundle test and bench).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { HandlerName } from './functions.ts';
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
