// `newsdigest subscribers …` on the dev data folder's store (no dev running: the command opens it itself).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSubscribers } from '../cli/subscribers.ts';
import { UsageError } from '../cli/files.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'newsdigest-cli-subs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(action: string, ...args: string[]): Promise<string> {
  const out: string[] = [];
  await runSubscribers(action, args, { data: dir, env: false, now: new Date('2026-12-01T08:00:00Z') }, (s) => out.push(s));
  return out.join('\n');
}

describe('newsdigest subscribers', () => {
  it('adds, lists, removes (as unsubscribed), imports without resubscribing, and exports records', async () => {
    expect(await run('list')).toBe('(no subscribers)');
    expect(await run('add', 'Ann@Example.org', 'bob@example.org')).toBe('ann@example.org: added\nbob@example.org: added');
    expect(await run('add', 'ann@example.org')).toBe('ann@example.org: already active');
    expect(await run('remove', 'bob@example.org')).toBe('bob@example.org: unsubscribed');
    const file = path.join(dir, 'list.txt');
    writeFileSync(file, 'bob@example.org\nCat <cat@example.org>\n');
    expect(await run('import', file)).toBe('imported 1 new of 2 (addresses already known are left as they are)');
    expect((await run('list')).split('\n').map((l) => l.split('\t').slice(0, 2).join(' '))).toEqual([
      'ann@example.org active',
      'bob@example.org unsubscribed',
      'cat@example.org active',
    ]);
    const exported = JSON.parse(await run('export')) as Array<{ email: string; consent: { source: string } }>;
    expect(exported.map((r) => [r.email, r.consent.source])).toEqual([['ann@example.org', 'cli'], ['bob@example.org', 'cli'], ['cat@example.org', 'import']]);
    // An export imports back as it is (every address known: nothing new).
    writeFileSync(path.join(dir, 'export.json'), JSON.stringify(exported));
    expect(await run('import', path.join(dir, 'export.json'))).toMatch(/^imported 0 new of 3/);
  });

  it('refuses unknown actions, missing arguments and invalid addresses', async () => {
    await expect(run('purge')).rejects.toThrow(UsageError);
    await expect(run('add')).rejects.toThrow(/needs an address/);
    await expect(run('add', 'not-an-address')).rejects.toThrow(/email/i);
  });
});
