// The CLI as a user runs it: a real process, real files, exit codes and output.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

function cli(...args: string[]) {
  return cliWith({}, ...args);
}

function cliWith(env: NodeJS.ProcessEnv, ...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'newsdigest.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('newsdigest analyze', () => {
  it('reports the seeds as 5 articles in 1 story with 000 and 001 as the only copies', () => {
    const r = cli('analyze', 'seeds', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      articles: Array<Record<string, unknown> & { id: string; file: string }>;
      stories: Array<{ id: string; headline: string; articles: string[]; copies: string[][] }>;
      rejected: unknown[];
    };
    expect(report.articles).toHaveLength(5);
    for (const a of report.articles) {
      expect(Object.keys(a)).toEqual(
        expect.arrayContaining(['id', 'file', 'title', 'publisher', 'author', 'publishedAt', 'url', 'language', 'text', 'words']),
      );
    }
    expect(report.stories).toHaveLength(1);
    const fileOf = new Map(report.articles.map((a) => [a.id, path.basename(a.file).slice(0, 3)]));
    expect(report.stories[0]!.articles.map((id) => fileOf.get(id)).sort()).toEqual(['000', '001', '002', '003', '004']);
    expect(report.stories[0]!.copies.map((g) => g.map((id) => fileOf.get(id)).sort())).toEqual([['000', '001']]);
    expect(report.rejected).toEqual([]);
  });

  it('prints a readable table without --json', () => {
    const r = cli('analyze', 'seeds');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^5 articles, 1 stories, 1 copies collapsed, 0 rejected/);
    expect(r.stdout).toContain('copy#1');
  });

  it('explains command-line mistakes with the usage and exit code 2', () => {
    const unknown = cli('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    expect(unknown.stderr).toContain('Usage:');
    const missing = cli('analyze', 'no/such/dir');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file or directory: no/such/dir');
    const badFlag = cli('analyze', 'seeds', '--frob');
    expect(badFlag.code).toBe(2);
  });
});

describe('newsdigest run', () => {
  it('runs the seeds through the embedded S3 and leaves the edition, its email and the archive in --out', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'newsdigest-run-'));
    try {
      const out = path.join(dir, 'out');
      const r = cli('run', 'seeds', '--out', out, '--data', path.join(dir, 's3'), '--quiet');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/files: +5\narticles: +5\nstories: +1\ncopies collapsed: +1/);
      for (const outlet of ['MENAFN', 'TROIB News', 'VOCO', 'RT']) expect(r.stdout).toContain(outlet);
      for (const f of ['digest.html', 'digest.txt', 'digest.json', 'message.eml', 'index.html']) {
        expect(existsSync(path.join(out, f)), f).toBe(true);
      }
      const edition = JSON.parse(readFileSync(path.join(out, 'digest.json'), 'utf8')) as { edition: string; stories: unknown[] };
      expect(edition.stories).toHaveLength(1);
      expect(existsSync(path.join(out, edition.edition, 'index.html'))).toBe(true);
      expect(readFileSync(path.join(out, 'message.eml'), 'utf8')).toMatch(/^List-Unsubscribe:/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes the handlers\' log lines and metrics to stderr at LOG_LEVEL=debug, and keeps stdout its own', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'newsdigest-run-'));
    try {
      const r = cliWith({ LOG_LEVEL: 'debug' }, 'run', 'seeds', '--out', path.join(dir, 'out'), '--data', path.join(dir, 's3'), '--quiet');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^files: +5\narticles: +5\nstories: +1\ncopies collapsed: +1\n/);
      expect(r.stdout).not.toContain('{');
      const lines = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.filter((l) => l.message === 'ingest').map((l) => [l.outcome, l.service])).toEqual(Array(5).fill(['ingested', 'newsdigest']));
      const emf = lines.filter((l) => l.message === 'metrics').map((l) => l.emf as Record<string, unknown>);
      expect(emf.filter((m) => m.FilesIngested === 1)).toHaveLength(5);
      expect(emf.some((m) => m.Stories === 1 && m.CopiesCollapsed === 1)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
