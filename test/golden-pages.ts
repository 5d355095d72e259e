// The golden pages (test/pages/<name>/): where they live, what parseFile's output looks like as expected.json,
// and how two snapshots differ. Shared by test/golden-pages.test.ts and bench/fixtures-update.ts.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseFile } from '../functions/core/parse/index.ts';

export const PAGES_DIR = join(import.meta.dirname, 'pages');
export const SOURCE_FILE = 'source.html.gz';
export const EXPECTED_FILE = 'expected.json';
export const GOLD_FILE = 'gold.json';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** What expected.json holds: the article parseFile returned, or why it rejected the page. */
export interface Snapshot {
  format: string | null;
  article?: { [key: string]: Json };
  rejected?: string;
}

/** Every page folder that has a source, in name order. */
export function listPages(dir = PAGES_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, SOURCE_FILE)))
    .map((e) => e.name)
    .sort();
}

// Metadata first in a fixed order, then any field added later (sorted), and the long text last.
const HEAD_FIELDS = ['title', 'author', 'publishedAt', 'publisher', 'url', 'language'];

/** Objects with sorted keys, recursively, so the JSON is the same whatever order the parser built them in. */
function canonical(value: unknown): Json {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = canonical(v);
    }
    return out;
  }
  return value === undefined ? null : (value as Json);
}

/**
 * The article as stored: every field it carries, the text as an array of its paragraphs (split on the blank
 * line, so joining them back with "\n\n" gives the text exactly) so that a diff shows which paragraph changed.
 */
export function articleSnapshot(article: object): { [key: string]: Json } {
  const fields = canonical(article) as { [key: string]: Json };
  const keys = [
    ...HEAD_FIELDS.filter((k) => k in fields),
    ...Object.keys(fields).filter((k) => !HEAD_FIELDS.includes(k) && k !== 'text').sort(),
  ];
  const out: { [key: string]: Json } = {};
  for (const k of keys) out[k] = fields[k]!;
  if (typeof fields.text === 'string') out.text = fields.text.split('\n\n');
  else if ('text' in fields) out.text = fields.text!;
  return out;
}

/** parseFile on the page's source, as a snapshot. */
export function snapshotOf(page: string, dir = PAGES_DIR): Snapshot {
  const bytes = readFileSync(join(dir, page, SOURCE_FILE));
  // The bare file name: the page's folder name says which suite it came from, which no parser may see.
  const outcome = parseFile(SOURCE_FILE, bytes);
  const first = outcome.articles[0];
  if (first) return { format: outcome.format, article: articleSnapshot(first.article) };
  return { format: outcome.format, rejected: outcome.errors.map((e) => e.error).join('; ') };
}

/** The file's bytes: two-space JSON, a newline at the end. */
export function serializeSnapshot(s: Snapshot): string {
  return `${JSON.stringify(s, null, 2)}\n`;
}

export function readSnapshot(page: string, dir = PAGES_DIR): Snapshot | null {
  const file = join(dir, page, EXPECTED_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Snapshot) : null;
}

/** The article's text back as one string, from a snapshot. */
export function snapshotText(s: Snapshot | null): string {
  const text = s?.article?.text;
  if (Array.isArray(text)) return text.filter((p) => typeof p === 'string').join('\n\n');
  return typeof text === 'string' ? text : '';
}

const clip = (s: string, n = 240): string => (s.length > n ? `${s.slice(0, n)}…` : s);
const show = (v: Json | undefined): string => (v === undefined ? '(absent)' : clip(JSON.stringify(v)));

/** Where two paragraph lists part: the first differing paragraph, both versions, and where in it. */
function textDifference(expected: Json[], actual: Json[]): string {
  let i = 0;
  while (i < expected.length && i < actual.length && expected[i] === actual[i]) i++;
  const e = expected[i], a = actual[i];
  let at = 0;
  if (typeof e === 'string' && typeof a === 'string') while (at < e.length && e[at] === a[at]) at++;
  const from = Math.max(0, at - 60);
  const part = (v: Json | undefined) => (typeof v === 'string' ? `${from ? '…' : ''}${clip(v.slice(from))}` : show(v));
  return [
    `text: paragraph ${i + 1} differs (expected ${expected.length} paragraphs, got ${actual.length})` +
      (typeof e === 'string' && typeof a === 'string' ? `, from character ${at + 1}:` : ':'),
    `    expected: ${part(e)}`,
    `    actual:   ${part(a)}`,
  ].join('\n');
}

/** A readable account of how `actual` differs from `expected` (one line per field), or null when they agree. */
export function describeDifference(expected: Snapshot, actual: Snapshot): string | null {
  const lines: string[] = [];
  if (expected.format !== actual.format) lines.push(`format: expected ${show(expected.format)}, got ${show(actual.format)}`);
  if (expected.rejected !== actual.rejected) lines.push(`rejected: expected ${show(expected.rejected)}, got ${show(actual.rejected)}`);
  const ea = expected.article ?? {}, aa = actual.article ?? {};
  if (!!expected.article !== !!actual.article) lines.push(`article: expected ${expected.article ? 'one' : 'none'}, got ${actual.article ? 'one' : 'none'}`);
  else {
    const keys = [...new Set([...Object.keys(ea), ...Object.keys(aa)])];
    for (const k of keys) {
      if (JSON.stringify(ea[k]) === JSON.stringify(aa[k])) continue;
      const e = ea[k], a = aa[k];
      lines.push(k === 'text' && Array.isArray(e) && Array.isArray(a) ? textDifference(e, a) : `${k}: expected ${show(e)}, got ${show(a)}`);
    }
  }
  return lines.length ? lines.join('\n') : null;
}
