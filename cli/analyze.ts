// `newsdigest analyze`: the pure core on local files, no S3. Prints the articles, stories and rejections.
import { readFileSync } from 'node:fs';
import { articleId } from '../functions/core/article.ts';
import { clusterArticles } from '../functions/core/cluster.ts';
import { clusterItemOf } from '../functions/core/edition.ts';
import { defaultParseLimits, type ParseLimits } from '../functions/core/parse/limits.ts';
import { parseRecords } from '../functions/core/records.ts';
import type { ArticleRecord } from '../functions/core/schema.ts';
import { collectFiles } from './files.ts';

export interface AnalyzeReport {
  articles: Array<{
    id: string;
    file: string;
    title: string;
    publisher: string | null;
    author: string | null;
    publishedAt: string | null;
    url: string | null;
    language: string | null;
    text: string;
    words: number;
    /** Which path produced the text (see ParsedArticleSchema.extraction); null for records without it. */
    extraction: string | null;
  }>;
  stories: Array<{
    id: string;
    headline: string;
    articles: string[];
    copies: string[][];
    canonical: string;
    reasons: unknown;
  }>;
  rejected: Array<{ file: string; error: string }>;
}

export function analyzeFiles(
  inputs: string[],
  options: { limits?: ParseLimits; onFile?: (done: number, total: number) => void } = {},
): AnalyzeReport {
  const files = collectFiles(inputs);
  const receivedAt = new Date().toISOString();
  const records: Array<{ record: ArticleRecord; file: string }> = [];
  const rejected: AnalyzeReport['rejected'] = [];
  const seen = new Set<string>();
  files.forEach((file, n) => {
    const outcome = parseRecords(file, readFileSync(file), options.limits ?? defaultParseLimits, receivedAt);
    const several = outcome.records.length + outcome.errors.length > 1;
    for (let record of outcome.records) {
      const { index } = record.source;
      // Exact copies are one record in the bucket; here each input keeps its own id so every file is reported.
      if (seen.has(record.id)) record = { ...record, id: articleId(`${record.text}\u0000${file}#${index}`) };
      seen.add(record.id);
      records.push({ record, file: several ? `${file}#${index}` : file });
    }
    for (const e of outcome.errors) {
      const where = e.line !== undefined ? ` (line ${e.line})` : '';
      rejected.push({ file: e.index !== undefined && several ? `${file}#${e.index}` : file, error: `${e.error}${where}` });
    }
    options.onFile?.(n + 1, files.length);
  });
  const { stories } = clusterArticles(records.map(({ record }) => clusterItemOf(record)));
  return {
    articles: records.map(({ record: r, file }) => ({
      id: r.id,
      file,
      title: r.title,
      publisher: r.publisher,
      author: r.author,
      publishedAt: r.publishedAt,
      url: r.url,
      language: r.language,
      text: r.text,
      words: r.words,
      extraction: r.extraction ?? null,
    })),
    stories: stories.map((s) => ({
      id: s.id,
      headline: s.headline,
      articles: s.articles,
      copies: s.copies,
      canonical: s.canonical,
      reasons: { copies: s.copyGroups.flatMap((g) => g.reasons), story: s.reasons },
    })),
    rejected,
  };
}

function cut(s: string | null, n: number): string {
  const v = s ?? '—';
  return v.length > n ? `${v.slice(0, n - 1)}…` : v.padEnd(n);
}

/** The human-readable form: one block per story, copies marked. */
export function formatAnalyzeReport(report: AnalyzeReport): string {
  const byId = new Map(report.articles.map((a) => [a.id, a]));
  const lines: string[] = [];
  lines.push(
    `${report.articles.length} articles, ${report.stories.length} stories, ${report.stories.reduce((n, s) => n + s.copies.reduce((m, c) => m + c.length - 1, 0), 0)} copies collapsed, ${report.rejected.length} rejected`,
    '',
  );
  report.stories.forEach((s, i) => {
    lines.push(`${i + 1}. ${s.headline}`);
    const copyOf = new Map<string, number>();
    s.copies.forEach((g, gi) => g.forEach((id) => copyOf.set(id, gi + 1)));
    for (const id of s.articles) {
      const a = byId.get(id);
      if (!a) continue;
      const mark = copyOf.has(id) ? `copy#${copyOf.get(id)}` : '';
      lines.push(`   ${mark.padEnd(7)} ${cut(a.publisher, 14)} ${cut(a.publishedAt?.slice(0, 10) ?? null, 10)} ${String(a.words).padStart(5)}w  ${cut(a.file, 40)} ${cut(a.title, 60)}`);
    }
    lines.push('');
  });
  if (report.rejected.length) {
    lines.push('Rejected:');
    for (const r of report.rejected) lines.push(`   ${r.file}: ${r.error}`);
  }
  return lines.join('\n');
}
