// Rewrites test/pages/<name>/expected.json from what parseFile returns now, and prints, per page and overall,
// body F1 / title / author / date against the page's gold.json before -> after, so that whoever reads the diff
// sees whether the change is progress or regression. Exits 0 whatever changed (the diff is the verdict), 1 only
// on a usage mistake.
//   npm run fixtures:update [-- --page NAME ...]
//   npm run fixtures:update -- --add PATH --name SLUG [--gold GOLD.json] [--license ID] [--source TEXT]
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  EXPECTED_FILE, GOLD_FILE, PAGES_DIR, SOURCE_FILE, type Snapshot, listPages, readSnapshot, serializeSnapshot,
  snapshotOf, snapshotText,
} from '../test/golden-pages.ts';
import { docF1, judge } from './html-quality.ts';

export interface Gold { title?: string; author?: string; publishedAt?: string; text?: string; license?: string; source?: string; [k: string]: unknown }

export interface PageScore { f1: number | null; title?: boolean; author?: boolean; date?: boolean; rejected: boolean }

/** A snapshot against the gold, with score.py's rules (see judge in html-quality.ts). */
export function scorePage(s: Snapshot | null, gold: Gold): PageScore {
  const a = s?.article ?? {};
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const { p, r, ...marks } = judge({ title: str(a.title), author: str(a.author), publishedAt: str(a.publishedAt), text: snapshotText(s) }, gold);
  return { f1: gold.text ? docF1({ p, r }) : null, rejected: !s?.article, ...marks };
}

export function readGold(page: string): Gold {
  const file = join(PAGES_DIR, page, GOLD_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Gold) : {};
}

const mark = (v: boolean | undefined) => (v === undefined ? '-' : v ? 'ok' : 'no');
const f1s = (v: number | null) => (v === null ? '  -  ' : v.toFixed(3));

function changedFields(before: Snapshot | null, after: Snapshot): string[] {
  if (!before) return ['(new)'];
  if (!!before.article !== !!after.article || before.rejected !== after.rejected) return [after.article ? 'accepted' : 'rejected'];
  const b = before.article ?? {}, a = after.article ?? {};
  return [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]));
}

/** One summary line per page: before -> after against its gold, and which fields changed. */
function pageLine(page: string, before: PageScore | null, after: PageScore, changed: string[]): string {
  const pair = (k: 'title' | 'author' | 'date') => `${k} ${before ? mark(before[k]) : 'new'}->${mark(after[k])}`;
  const body = (s: PageScore | null) => (!s ? ' new ' : s.rejected ? 'rej. ' : f1s(s.f1));
  const f1 = `F1 ${body(before)}->${body(after)}`;
  return `  ${page.padEnd(26)} ${f1}  ${pair('title')}  ${pair('author')}  ${pair('date')}` +
    (changed.length ? `  changed: ${changed.join(', ')}` : '');
}

function overall(scores: PageScore[]): string {
  const withText = scores.filter((s) => s.f1 !== null);
  const f1 = withText.length ? withText.reduce((t, s) => t + s.f1!, 0) / withText.length : 0;
  const rate = (k: 'title' | 'author' | 'date') => {
    const xs = scores.filter((s) => s[k] !== undefined);
    return `${k} ${xs.filter((s) => s[k]).length}/${xs.length}`;
  };
  return `docF1 ${f1.toFixed(3)} (n=${withText.length})  ${rate('title')}  ${rate('author')}  ${rate('date')}  rejected ${scores.filter((s) => s.rejected).length}`;
}

/** Rewrites the expected.json of these pages and prints the summary. */
export function updatePages(pages: string[]): void {
  const befores: PageScore[] = [], afters: PageScore[] = [];
  let changedPages = 0;
  console.log(`golden pages: body F1 / title / author / date against gold.json, before -> after`);
  for (const page of pages) {
    const before = readSnapshot(page), after = snapshotOf(page), gold = readGold(page);
    writeFileSync(join(PAGES_DIR, page, EXPECTED_FILE), serializeSnapshot(after));
    const changed = changedFields(before, after);
    if (changed.length) changedPages++;
    // A new page has no before: the overall before -> after compares the pages that had an expectation.
    const b = before && scorePage(before, gold), a = scorePage(after, gold);
    if (b) {
      befores.push(b);
      afters.push(a);
    }
    console.log(pageLine(page, b, a, changed));
  }
  console.log(`before: ${overall(befores)}`);
  console.log(`after:  ${overall(afters)}`);
  if (befores.length < pages.length) console.log(`(overall over the ${befores.length} pages that had an expected.json; ${pages.length - befores.length} new)`);
  console.log(`${changedPages} of ${pages.length} expected.json changed; read \`git diff test/pages\` before committing.`);
}

/** A new page folder: the source gzipped, the gold (with its license) beside it. Returns the folder. */
export function addPage(sourcePath: string, slug: string, gold: Gold): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(slug)) throw new Error(`--name must be a lower-case slug, got ${JSON.stringify(slug)}`);
  const dir = join(PAGES_DIR, slug);
  mkdirSync(dir, { recursive: true });
  const bytes = readFileSync(sourcePath);
  const isGzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
  writeFileSync(join(dir, SOURCE_FILE), isGzip ? bytes : gzipSync(bytes, { level: 9 }));
  const ordered: Gold = {};
  for (const k of ['source', 'license', 'title', 'author', 'publishedAt', 'text']) if (gold[k] !== undefined) ordered[k] = gold[k];
  writeFileSync(join(dir, GOLD_FILE), `${JSON.stringify(ordered, null, 2)}\n`);
  return dir;
}

function main(args: string[]): void {
  const pages: string[] = [];
  let add: string | null = null, name: string | null = null, goldPath: string | null = null;
  let license: string | null = null, source: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const next = () => args[++i] ?? '';
    if (args[i] === '--page') pages.push(next());
    else if (args[i] === '--add') add = next();
    else if (args[i] === '--name') name = next();
    else if (args[i] === '--gold') goldPath = next();
    else if (args[i] === '--license') license = next();
    else if (args[i] === '--source') source = next();
    else throw new Error(`unknown argument ${args[i]}`);
  }
  if (add) {
    if (!name) throw new Error('--add needs --name SLUG');
    const gold: Gold = goldPath ? (JSON.parse(readFileSync(goldPath, 'utf8')) as Gold) : {};
    if (license) gold.license = license;
    if (source) gold.source = source;
    console.log(`added ${addPage(add, name, gold)}; state its source and license in test/pages/README.md`);
    pages.push(name);
  }
  const all = listPages();
  const unknown = pages.filter((p) => !all.includes(p));
  if (unknown.length) throw new Error(`no such page under test/pages: ${unknown.join(', ')}`);
  updatePages(pages.length ? pages : all);
}

if (process.argv[1]?.endsWith('fixtures-update.ts')) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    // A usage mistake (unknown page, bad slug): say it in one line, and fail.
    console.error(`fixtures:update: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}
