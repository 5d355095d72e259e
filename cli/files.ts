// Input discovery for the CLI: files and directories (walked recursively, in a stable order).
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const SKIP = new Set(['.git', 'node_modules', '.DS_Store']);

/** Every regular file under the given paths, each path kept as the user wrote it (joined for children). */
export function collectFiles(inputs: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new UsageError(`no such file or directory: ${p}`);
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        if (!SKIP.has(name) && !name.startsWith('.')) walk(path.join(p, name));
      }
    } else if (st.isFile()) {
      out.push(p);
    }
  };
  for (const input of inputs) walk(input);
  return out;
}
