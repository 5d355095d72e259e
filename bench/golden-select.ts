// Picks the golden pages (test/pages/) from the dev suites, for diversity of generic traits rather than by hand:
// language, JSON-LD or not, layout (<p>, <br>, table cells), length, how well we do today, and whether the gold
// has a title / author / date and we get it. Greedy: each pick is the page whose trait values are the least
// covered so far (ties broken by a hash of the file name). Kept so the choice can be explained and redone.
//   npx tsx bench/golden-select.ts [--dry]
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parseFile } from '../functions/core/parse/index.ts';
import { detectLanguage } from '../functions/core/parse/language.ts';
import { type Gold, addPage, scorePage, updatePages } from './fixtures-update.ts';
import { articleSnapshot } from '../test/golden-pages.ts';

const EVAL = process.env.NEWSDIGEST_EVAL ?? join(import.meta.dirname, '..', '..', 'shared', 'eval');
const MAX_GZ_BYTES = 300 * 1024;

/** `source` names the page upstream (repo@commit and path), from the dev file name and its gold's `origin`. */
interface SuitePlan { suite: string; count: number; slug: (file: string) => string; license: string; source: (file: string, origin: string) => string }

const hash = (s: string) => createHash('sha256').update(s).digest('hex');
const PLANS: SuitePlan[] = [
  { suite: 'wcxb-dev', count: 18, slug: (f) => `wcxb-${f.replace(/\..*$/, '')}`, license: 'CC-BY-4.0',
    source: (_f, origin) => `WCXB v1.0 by Murrough Foley, Murrough-Foley/web-content-extraction-benchmark@c039d5ee dev/html/${origin}` },
  { suite: 'scrapinghub', count: 14, slug: (f) => `scrapinghub-${f.slice(0, 10)}`, license: 'MIT',
    source: (f) => `scrapinghub/article-extraction-benchmark@4a3bc979 html/${f}.gz` },
  { suite: 'readability-dev', count: 4, slug: (f) => `readability-${hash(f).slice(0, 10)}`, license: 'Apache-2.0',
    source: (f) => `mozilla/readability@ab4027a8 test/test-pages/${f.replace(/\.html$/, '')}/source.html` },
];

interface Candidate { suite: SuitePlan; file: string; path: string; gold: Gold; traits: string[] }

const count = (html: string, re: RegExp) => html.match(re)?.length ?? 0;

/** The page's layout by its tags: paragraphs, table cells, line breaks, or bare divs. */
function layoutOf(html: string): string {
  if (count(html, /<p[\s>]/gi) >= 8) return 'p';
  if (count(html, /<td[\s>]/gi) >= 10) return 'table';
  if (count(html, /<br\b/gi) >= 10) return 'br';
  return 'div';
}

function bucket(x: number, edges: number[], names: string[]): string {
  const i = edges.findIndex((e) => x < e);
  return names[i < 0 ? names.length - 1 : i]!;
}

function traitsOf(suite: string, html: string, bytes: Buffer, gold: Gold): string[] {
  const outcome = parseFile('source.html', bytes);
  const article = outcome.articles[0]?.article;
  const score = scorePage(article ? { format: 'html', article: articleSnapshot(article) } : null, gold);
  const words = (gold.text ?? '').split(/\s+/).filter(Boolean).length;
  const state = (v: boolean | undefined) => (v === undefined ? 'none' : v ? 'ok' : 'miss');
  return [
    `suite=${suite}`,
    // A rejected page has no detected language: the gold text's stands in.
    `lang=${article?.language ?? detectLanguage(gold.text ?? '') ?? 'none'}`,
    `jsonld=${/application\/ld\+json/i.test(html)}`,
    `layout=${layoutOf(html)}`,
    `length=${bucket(words, [150, 500, 1500], ['brief', 'short', 'medium', 'long'])}`,
    `body=${score.rejected ? 'rejected' : bucket(score.f1 ?? 1, [0.6, 0.9, 0.97], ['bad', 'fair', 'good', 'exact'])}`,
    `title=${state(score.title)}`,
    `author=${state(score.author)}`,
    `date=${state(score.date)}`,
  ];
}

function candidates(plan: SuitePlan): Candidate[] {
  const dir = join(EVAL, plan.suite);
  const docs = (JSON.parse(readFileSync(join(dir, 'gold.json'), 'utf8')) as { docs: Record<string, Gold> }).docs;
  const out: Candidate[] = [];
  for (const file of Object.keys(docs).sort()) {
    const path = join(dir, 'files', file);
    const bytes = readFileSync(path);
    const gz = bytes[0] === 0x1f && bytes[1] === 0x8b;
    if ((gz ? bytes.length : gzipSync(bytes).length) > MAX_GZ_BYTES) continue;
    const html = (gz ? gunzipSync(bytes) : bytes).toString('utf8');
    out.push({ suite: plan, file, path, gold: docs[file]!, traits: traitsOf(plan.suite, html, bytes, docs[file]!) });
  }
  return out;
}

/** Greedy: the page whose trait values have been picked least so far. */
function pick(pool: Candidate[], n: number, covered: Map<string, number>): Candidate[] {
  const chosen: Candidate[] = [];
  const left = [...pool].sort((a, b) => hash(a.file).localeCompare(hash(b.file)));
  while (chosen.length < n && left.length) {
    const worth = (c: Candidate) => c.traits.reduce((t, k) => t + 1 / (1 + (covered.get(k) ?? 0)), 0);
    let best = 0;
    for (let i = 1; i < left.length; i++) if (worth(left[i]!) > worth(left[best]!)) best = i;
    const [c] = left.splice(best, 1);
    for (const k of c!.traits) covered.set(k, (covered.get(k) ?? 0) + 1);
    chosen.push(c!);
  }
  return chosen;
}

function main(dry: boolean): void {
  const covered = new Map<string, number>();
  const chosen = PLANS.flatMap((plan) => pick(candidates(plan), plan.count, covered));
  for (const c of chosen) console.log(`${c.suite.slug(c.file).padEnd(26)} ${c.file.padEnd(24).slice(0, 24)} ${c.traits.slice(1).join(' ')}`);
  console.log([...covered].sort().map(([k, v]) => `${k}:${v}`).join(' '));
  if (dry) return;
  for (const c of chosen) {
    const { title, author, publishedAt, text, origin } = c.gold;
    const source = c.suite.source(c.file, typeof origin === 'string' ? origin : c.file);
    addPage(c.path, c.suite.slug(c.file), { source, license: c.suite.license, title, author, publishedAt, text });
  }
  updatePages(chosen.map((c) => c.suite.slug(c.file)).sort());
}

main(process.argv.includes('--dry'));
