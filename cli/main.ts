// newsdigest command line: `run` (the whole pipeline locally) and `analyze` (the pure core on files).
import { parseArgs } from 'node:util';
import { UsageError } from './files.ts';

const USAGE = `newsdigest: parse article files, collapse syndicated copies, group stories, render a digest.

Usage:
  newsdigest run [paths…]            upload files (default: seeds/) into the embedded S3 and build the digest
      --out DIR                      where the digest is copied (default: out/)
      --data DIR                     embedded S3 storage (default: .data/s3), emptied first
      --keep-data                    keep what an earlier run stored in the bucket
      --quiet                        print only the summary
  newsdigest analyze <paths…> [--json]
                                     parse, deduplicate and group local files without S3;
                                     --json prints {articles, stories, rejected}
  newsdigest help                    this text
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          out: { type: 'string', default: 'out' },
          data: { type: 'string', default: '.data/s3' },
          'keep-data': { type: 'boolean', default: false },
          quiet: { type: 'boolean', default: false },
        },
      });
      // Each command loads only what it needs: `help` and usage errors answer at once.
      const { formatRunSummary, runPipeline } = await import('./run.ts');
      const summary = await runPipeline({
        paths: positionals.length ? positionals : ['seeds'],
        out: values.out,
        data: values.data,
        keepData: values['keep-data'],
        quiet: values.quiet,
      });
      process.stdout.write(`${formatRunSummary(summary, values.out)}\n`);
      return summary.edition ? 0 : 1;
    }
    case 'analyze': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { json: { type: 'boolean', default: false } },
      });
      if (positionals.length === 0) throw new UsageError('analyze needs at least one file or directory');
      const { analyzeFiles, formatAnalyzeReport } = await import('./analyze.ts');
      const report = analyzeFiles(positionals);
      process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatAnalyzeReport(report)}\n`);
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // Mistakes in the command line get the usage; anything else its message, never a bare stack.
    if (e instanceof UsageError || (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`newsdigest: ${(e as Error).message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`newsdigest: ${e instanceof Error ? e.message : String(e)}\n`);
      if (process.env.DEBUG) console.error(e);
      process.exitCode = 1;
    }
  },
);
