// Render speed and email size: a 1,000-story edition (goal: ≤ 1 s for every output) and the email of a
// 50-story edition (Gmail clips HTML over 102 KB). Prints figures; `--json` prints them as one JSON line.
//   npx tsx bench/render.ts [--json]
import { performance } from 'node:perf_hooks';
import { composeEditionMessage } from '../functions/core/email.ts';
import { createArchiveRenderer, createRenderer, DEFAULT_MAX_EMAIL_BYTES } from '../functions/core/render.ts';
import { loadTemplates } from '../functions/templates.ts';
import { syntheticEdition, words } from './synthetic-edition.ts';

const GMAIL_CLIP_BYTES = 102 * 1024;

function time<T>(fn: () => T): { ms: number; value: T } {
  const t = performance.now();
  const value = fn();
  return { ms: performance.now() - t, value };
}

async function main() {
  const json = process.argv.includes('--json');
  const templates = loadTemplates();
  const render = createRenderer(templates, { publicBaseUrl: 'https://news.example.com/digests/' });
  const archive = createArchiveRenderer(templates);

  // Warm-up (template compilation, JIT), then the best of three runs.
  render(syntheticEdition(20));
  const big = syntheticEdition(1000);
  const runs = [0, 1, 2].map(() => time(() => render(big, { prev: '2026-11-21', next: null })));
  const best = runs.reduce((a, b) => (a.ms <= b.ms ? a : b));
  const r1000 = best.value;
  const archiveTime = time(() => archive('News digest', Array.from({ length: 365 }, (_, i) => ({ edition: `2026-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`, title: 'News digest', stories: 40, articles: 120, outlets: 30, headline: words(10, i) }))));

  const e50 = syntheticEdition(50);
  const r50 = render(e50);
  const mime50 = await composeEditionMessage(e50, r50, { from: 'News digest <digest@news.example.com>', to: { email: 'reader@example.org' }, unsubscribeUrl: 'https://news.example.com/u?id=0123' });
  const mimeTime = time(() => 0);
  const t0 = performance.now();
  await composeEditionMessage(big, r1000, { from: 'News digest <digest@news.example.com>' });
  mimeTime.ms = performance.now() - t0;
  // The HTML part as transmitted (quoted-printable), the figure Gmail's clipping is closest to.
  const raw = mime50.toString('utf8');
  const htmlPart = raw.slice(raw.indexOf('Content-Type: text/html'));
  const figures = {
    render1000Ms: Math.round(best.ms),
    render1000Runs: runs.map((r) => Math.round(r.ms)),
    page1000Bytes: Buffer.byteLength(r1000.page),
    text1000Bytes: Buffer.byteLength(r1000.text),
    email1000Bytes: Buffer.byteLength(r1000.html),
    email1000Stories: r1000.emailStories,
    mime1000Ms: Math.round(mimeTime.ms),
    archive365Ms: Math.round(archiveTime.ms),
    email50Bytes: Buffer.byteLength(r50.html),
    email50Stories: r50.emailStories,
    email50EncodedHtmlPartBytes: Buffer.byteLength(htmlPart),
    mime50Bytes: mime50.length,
    budgetBytes: DEFAULT_MAX_EMAIL_BYTES,
    gmailClipBytes: GMAIL_CLIP_BYTES,
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    return;
  }
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  process.stdout.write(
    [
      `1,000-story edition: rendered in ${figures.render1000Ms} ms (runs ${figures.render1000Runs.join(', ')} ms; goal ≤ 1000 ms) ${figures.render1000Ms <= 1000 ? 'OK' : 'OVER'}`,
      `  web page ${kb(figures.page1000Bytes)}, text ${kb(figures.text1000Bytes)}, email ${kb(figures.email1000Bytes)} carrying the top ${figures.email1000Stories} stories + a link to the rest`,
      `  MIME message built in ${figures.mime1000Ms} ms; archive index of 365 editions in ${figures.archive365Ms} ms`,
      `50-story edition: email HTML ${kb(figures.email50Bytes)} (${figures.email50Stories} of 50 stories), HTML part as sent ${kb(figures.email50EncodedHtmlPartBytes)}, whole message ${kb(figures.mime50Bytes)}`,
      `  budget ${kb(figures.budgetBytes)}, Gmail clips over ${kb(figures.gmailClipBytes)}: ${figures.email50Bytes <= GMAIL_CLIP_BYTES ? 'not clipped' : 'CLIPPED'}`,
    ].join('\n') + '\n',
  );
}

await main();
