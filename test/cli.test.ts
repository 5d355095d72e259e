// The CLI as a user runs it: a real process, real files, exit codes and output.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
        expect.arrayContaining(['id', 'file', 'title', 'publisher', 'author', 'publishedAt', 'url', 'language', 'text', 'words', 'extraction']),
      );
      // The seeds are plain text: their body is stated, not extracted from a layout.
      expect(a.extraction).toBe('stated');
    }
    expect(report.stories).toHaveLength(1);
    const fileOf = new Map(report.articles.map((a) => [a.id, path.basename(a.file).slice(0, 3)]));
    expect(report.stories[0]!.articles.map((id) => fileOf.get(id)).sort()).toEqual(['000', '001', '002', '003', '004']);
    expect(report.stories[0]!.copies.map((g) => g.map((id) => fileOf.get(id)).sort())).toEqual([['000', '001']]);
    expect(report.rejected).toEqual([]);
  });

  it('shows the extraction path of an HTML article in --json', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'newsdigest-analyze-'));
    try {
      const body = 'The city council voted on Tuesday to extend the night bus service to the northern suburbs from March.';
      const ld = JSON.stringify({ '@type': 'NewsArticle', headline: 'Night buses extended', articleBody: `${body}\n\n${body.replace('Tuesday', 'Monday')}` });
      writeFileSync(path.join(dir, 'shell.html'), `<!doctype html><html><head><title>Night buses</title><script type="application/ld+json">${ld}</script></head><body><div id="app"></div></body></html>`);
      const r = cli('analyze', dir, '--json');
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as { articles: Array<{ extraction: string }> };
      expect(report.articles.map((a) => a.extraction)).toEqual(['json-ld']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
      // RFC 8058 one-click, pointing at the unsubscribe page `newsdigest dev` serves.
      const eml = readFileSync(path.join(out, 'message.eml'), 'utf8').replace(/\r?\n[ \t]+/g, ' ');
      expect(eml).toMatch(/^List-Unsubscribe: <http:\/\/127\.0\.0\.1:8081\/unsubscribe>, <mailto:/m);
      expect(eml).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
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

  it("replays two days with --at and --keep-data: the second day's edition marks the first day's story developing", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'newsdigest-replay-'));
    try {
      // Day 1: seeds 000-002 (MENAFN, TROIB News, unnamed); day 2: 003 (VOCO Media) and 004 (RT).
      const seeds = readdirSync(path.join(ROOT, 'seeds')).sort();
      for (const [day, names] of [['day1', seeds.slice(0, 3)], ['day2', seeds.slice(3)]] as const) {
        mkdirSync(path.join(dir, day));
        for (const n of names) copyFileSync(path.join(ROOT, 'seeds', n), path.join(dir, day, n));
      }
      const common = ['--out', path.join(dir, 'out'), '--data', path.join(dir, 's3'), '--quiet'];
      const first = cli('run', path.join(dir, 'day1'), '--at', '2025-04-23T10:00:00Z', ...common);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/stories: +1\n/);
      expect(first.stdout).toContain('edition:          2025-04-23');
      expect(first.stdout).not.toContain('since 2025');

      const second = cli('run', path.join(dir, 'day2'), '--at', '2025-04-24T10:00:00Z', '--keep-data', ...common);
      expect(second.stderr).toBe('');
      expect(second.code).toBe(0);
      expect(second.stdout).toContain('edition:          2025-04-24');
      expect(second.stdout).toContain('since 2025-04-23: 0 new, 1 developing, 0 unchanged');
      expect(second.stdout).toMatch(/developing: .*\(\+2 articles since 23 Apr: (VOCO Media, RT|RT, VOCO Media); new headline\)/);
      const edition = JSON.parse(readFileSync(path.join(dir, 'out', 'digest.json'), 'utf8')) as {
        edition: string;
        previous: string;
        stories: Array<{ id: string; status: string; firstSeen: string; changes: { outletsAdded: string[] } }>;
      };
      expect(edition).toMatchObject({ edition: '2025-04-24', previous: '2025-04-23' });
      expect(edition.stories).toHaveLength(1);
      expect(edition.stories[0]).toMatchObject({ status: 'developing', firstSeen: '2025-04-23' });
      expect([...edition.stories[0]!.changes.outletsAdded].sort()).toEqual(['RT', 'VOCO Media']);
      const dayOne = JSON.parse(readFileSync(path.join(dir, 'out', '2025-04-23', 'digest.json'), 'utf8')) as typeof edition;
      expect(edition.stories[0]!.id).toBe(dayOne.stories[0]!.id);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an --at that is not an ISO 8601 instant with its zone, with the usage and exit code 2', () => {
    for (const bad of ['yesterday', '2025-04-23', '2025-04-23T10:00:00', '2025-02-30T10:00:00Z', '2025-04-23T25:00:00Z']) {
      const r = cli('run', 'seeds', '--at', bad);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toContain('--at needs an ISO 8601 instant');
      expect(r.stderr).toContain('Usage:');
    }
  });
});
