// Robustness on old layouts: every page of a suite rewritten the way pages were written before semantic markup
// (each <p>…</p> becomes its content and <br><br>; <article>, <main>, <section> and <div> wrappers become
// <table><tr><td> cells, their attributes gone; JSON-LD dropped), then scored like bench/html-quality.ts.
// It measures the method on layouts the dev sets under-represent: read the totals, never tune on its pages.
//   npx tsx bench/old-layout.ts [--suite wcxb-dev] [--suite scrapinghub] [--half A|B]
import { gunzipSync } from 'node:zlib';
import { parseFile } from '../functions/core/parse/index.ts';
import { type ParseFn, scoreSuite } from './html-quality.ts';

const JSON_LD = /<script\b[^>]*application\/ld\+json[^>]*>[\s\S]*?<\/script\s*>/gi;
const P_OPEN = /<p(?:\s[^>]*)?>/gi;
const P_CLOSE = /<\/p\s*>/gi;
const WRAP_OPEN = /<(?:article|main|section|div)(?:\s[^>]*)?>/gi;
const WRAP_CLOSE = /<\/(?:article|main|section|div)\s*>/gi;

/** The page as an older site would have marked it up. */
export function oldLayout(html: string): string {
  return html.replace(JSON_LD, '').replace(P_OPEN, '').replace(P_CLOSE, '<br><br>')
    .replace(WRAP_OPEN, '<table><tr><td>').replace(WRAP_CLOSE, '</td></tr></table>');
}

const isGzip = (b: Uint8Array) => b.length > 2 && b[0] === 0x1f && b[1] === 0x8b;

const parseOld: ParseFn = (name, bytes) => {
  const html = new TextDecoder().decode(isGzip(bytes) ? gunzipSync(bytes) : bytes);
  const r = parseFile(name.replace(/\.gz$/, ''), new TextEncoder().encode(oldLayout(html)));
  const a = r.articles[0]?.article;
  return a ? { out: a } : { out: null, error: r.errors.map((e) => e.error).join('; ') };
};

function main() {
  const args = process.argv.slice(2);
  const suites: string[] = [];
  let half: 'A' | 'B' | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--suite') suites.push(args[++i]!);
    else if (args[i] === '--half') half = args[++i] === 'B' ? 'B' : 'A';
  }
  if (!suites.length) suites.push('wcxb-dev', 'scrapinghub');
  for (const suite of suites) {
    const t0 = performance.now();
    const s = scoreSuite(suite, parseOld, half);
    const paths = new Map<string, number>();
    for (const d of s.docs) {
      const p = (d.out as { extraction?: string } | null)?.extraction ?? (d.out ? '(none)' : 'rejected');
      paths.set(p, (paths.get(p) ?? 0) + 1);
    }
    const withBody = s.docs.filter((d) => d.gold.text && !d.out).length;
    console.log(`${suite} (old layout): docs=${s.docs.length} rejected=${s.rejected} (with a gold body: ${withBody}) ` +
      `P=${s.P.toFixed(4)} R=${s.R!.toFixed(4)} F1=${s.F.toFixed(4)} docF1=${s.docF.toFixed(4)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    console.log(`  paths: ${[...paths].sort((a, b) => b[1] - a[1]).map(([p, n]) => `${p} ${n}`).join(', ')}`);
  }
}

if (process.argv[1]?.endsWith('old-layout.ts')) main();
