// Plain Readability as a yardstick for our extractor, and ablations of our own steps.
//   npx tsx bench/readability-baseline.ts [--suite S]... [--half A|B] [--mode plain|ours|no-preclean|...]... [--diff 0.1]
// plain: @mozilla/readability with default options over the untouched page (linkedom), its content as paragraphs.
// ours: parseFile as shipped. no-X: parseHtml with one step switched off (see HtmlExtractSettings), scored as parseFile would.
// --diff T lists the pages where plain and ours differ by more than T in F1 (look at half A only).
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { decodeBytes, gunzipLimited, isGzip } from '../functions/core/parse/decode.ts';
import { parseFile } from '../functions/core/parse/index.ts';
import { type HtmlExtractSettings, parseHtml } from '../functions/core/parse/html.ts';
import { toBlocks } from '../functions/core/parse/html/text.ts';
import { defaultParseLimits } from '../functions/core/parse/limits.ts';
import { countWordsUpTo } from '../functions/core/words.ts';
import { type DocScore, type ParseFn, scoreSuite } from './html-quality.ts';

const decode = (bytes: Uint8Array) => decodeBytes(isGzip(bytes) ? gunzipLimited(bytes, 100 * 1024 * 1024) : bytes);

/**
 * Readability.js as a user of the library would call it: default options, none of our clean-up. Its content
 * becomes paragraphs by block elements (textContent would fuse the last word of one paragraph with the next).
 */
export const plainReadability: ParseFn = (_name, bytes) => {
  try {
    const { document } = parseHTML(decode(bytes)) as unknown as { document: Document };
    const r = new Readability<Node>(document, { serializer: (el) => el }).parse();
    const text = r?.content ? toBlocks(r.content).map((b) => b.text).join('\n\n') : '';
    return text ? { out: { title: r?.title ?? null, text, author: r?.byline ?? null, publishedAt: r?.publishedTime ?? null } } : { out: null, error: 'empty' };
  } catch (e) {
    return { out: null, error: (e as Error).message };
  }
};

const ours: ParseFn = (name, bytes) => {
  const r = parseFile(name, bytes);
  const a = r.articles[0]?.article;
  return a ? { out: a } : { out: null, error: r.errors.map((e) => e.error).join('; ') };
};

/** parseHtml with some steps off; the same 20-word floor as parseFile so that rejections compare. */
function ablated(settings: Partial<HtmlExtractSettings>): ParseFn {
  return (name, bytes) => {
    try {
      const a = parseHtml(decode(bytes), { fileName: name }, settings);
      if (countWordsUpTo(a.text, defaultParseLimits.minWords) < defaultParseLimits.minWords) return { out: null, error: 'too short' };
      return { out: a };
    } catch (e) {
      return { out: null, error: (e as Error).message };
    }
  };
}

const MODES: Record<string, ParseFn> = {
  plain: plainReadability,
  ours,
  all: ablated({}),
  'no-preclean': ablated({ preclean: false }),
  'no-dropCaptions': ablated({ dropCaptions: false }),
  'no-postclean': ablated({ postclean: false }),
  'no-articleBody': ablated({ articleBody: false }),
  'no-spareProse': ablated({ spareProse: false }),
  'no-recover': ablated({ recover: false }),
  none: ablated({ preclean: false, spareProse: false, recover: false, postclean: false, articleBody: false }),
};

const f1 = (d: DocScore) => (d.p && d.r ? (2 * d.p * d.r) / (d.p + d.r) : 0);

function main() {
  const args = process.argv.slice(2);
  const suites: string[] = [];
  const modes: string[] = [];
  let half: 'A' | 'B' | undefined;
  let diff = 0;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--suite') suites.push(args[++i]!);
    else if (args[i] === '--mode') modes.push(args[++i]!);
    else if (args[i] === '--half') half = args[++i] === 'B' ? 'B' : 'A';
    else if (args[i] === '--diff') diff = Number(args[++i]);
  }
  if (!suites.length) suites.push('wcxb-dev', 'scrapinghub', 'readability-dev');
  if (!modes.length) modes.push('plain', 'ours');
  for (const suite of suites) {
    const results = new Map<string, ReturnType<typeof scoreSuite>>();
    for (const mode of modes) {
      const fn = MODES[mode];
      if (!fn) throw new Error(`unknown mode ${mode}; one of ${Object.keys(MODES).join(', ')}`);
      const s = scoreSuite(suite, fn, half);
      results.set(mode, s);
      console.log(`${suite}${half ? ` half ${half}` : ''} ${mode}: docs=${s.docs.length} rejected=${s.rejected} P=${s.P.toFixed(4)} R=${s.R!.toFixed(4)} F1=${s.F.toFixed(4)} docF1=${s.docF.toFixed(4)}`);
    }
    const [a, b] = [results.get(modes[0]!), results.get(modes[1]!)];
    if (diff && a && b) {
      const byName = new Map(b.docs.map((d) => [d.name, d]));
      const rows = a.docs.filter((d) => d.gold.text).map((d) => ({ d, e: byName.get(d.name)! })).map(({ d, e }) => ({ d, e, delta: f1(d) - f1(e) }))
        .filter((x) => Math.abs(x.delta) > diff).sort((x, y) => y.delta - x.delta);
      const fmt = (d: DocScore) => `F1=${f1(d).toFixed(3)} P=${(d.p ?? 0).toFixed(3)} R=${(d.r ?? 0).toFixed(3)}`;
      console.log(`  ${modes[0]} better by > ${diff}: ${rows.filter((x) => x.delta > 0).length}; ${modes[1]} better: ${rows.filter((x) => x.delta < 0).length}`);
      for (const { d, e, delta } of rows) console.log(`  ${delta.toFixed(3)} ${d.name}  ${modes[0]} ${fmt(d)} | ${modes[1]} ${fmt(e)}${e.error ? ` ERR ${e.error}` : ''}`);
    }
  }
}

if (process.argv[1]?.endsWith('readability-baseline.ts')) main();
