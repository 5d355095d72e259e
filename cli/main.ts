// newsdigest command line: `run` (the whole pipeline locally), `analyze` (the pure core on files),
// `dev` (everything locally, kept running), `send` (mail the latest edition now) and `subscribers`.
import { parseArgs } from 'node:util';
import { UsageError } from './files.ts';

const USAGE = `newsdigest: parse article files, collapse syndicated copies, group stories, render a digest.

Usage:
  newsdigest run [paths…]            upload files (default: seeds/) into the embedded S3 and build the digest
      --out DIR                      where the digest is copied (default: out/)
      --data DIR                     embedded S3 storage (default: .data/s3), emptied first
      --keep-data                    keep what an earlier run stored in the bucket
      --at INSTANT                   build the edition as of this ISO 8601 instant (e.g. 2025-04-23T10:00:00Z):
                                     files are received then and the edition is that day's; with --keep-data,
                                     replay one day after another
      --quiet                        print only the summary
  newsdigest analyze <paths…> [--json]
                                     parse, deduplicate and group local files without S3;
                                     --json prints {articles, stories, rejected}
  newsdigest dev                     run it all locally and keep it running: the embedded S3 on a fixed port,
                                     a watched inbox/ folder, a web page for the latest edition and the archive,
                                     and an SMTP catcher with a web inbox (MailDev)
      --port N                       web pages (default 8080)
      --s3-port N                    embedded S3 (default 4568)
      --smtp-port N / --mail-port N  SMTP catcher and its web inbox (default 1025 / 1080)
      --subscriptions-port N         the subscribe, confirm, unsubscribe and preferences pages (default 8081)
      --inbox DIR                    the watched folder (default inbox/)
      --data DIR                     storage, kept between runs (default .data/dev)
      --seed                         upload seeds/ at start
  newsdigest send [--env]            mail the latest edition now: to the running \`dev\` (default), or with
                                     --env through what the environment configures (SES or SMTP_URL)
  newsdigest subscribers list | add ADDRESS… | remove ADDRESS… | import FILE | export
                                     the subscriber store: of the local dev data (default), or with --env of
                                     the bucket the environment names; import takes a JSON export,
                                     config/subscribers.json's shape or one address a line; remove marks
                                     unsubscribed (--forget deletes the record)
      --data DIR                     the dev data folder (default .data/dev)
  newsdigest help                    this text
`;

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** `--at`: a date, a time and a zone (Z or an offset), naming a real instant. */
function parseInstant(text: string): Date {
  const at = new Date(text);
  // Date also takes what is not ISO 8601 ("April 23") and rolls impossible days over ("02-30"): neither is accepted.
  if (!INSTANT.test(text) || Number.isNaN(at.getTime()) || !sameCalendarDay(text, at)) {
    throw new UsageError(`--at needs an ISO 8601 instant with its zone, e.g. 2025-04-23T10:00:00Z (got "${text}")`);
  }
  return at;
}

/** The written date is the instant's date in the written zone (no day rolled over). */
function sameCalendarDay(text: string, at: Date): boolean {
  const zone = text.match(/(Z|[+-]\d{2}:\d{2})$/)![1]!;
  const offset = zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  return new Date(at.getTime() + offset * 60_000).toISOString().slice(0, 10) === text.slice(0, 10);
}

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
          at: { type: 'string' },
          quiet: { type: 'boolean', default: false },
        },
      });
      const at = values.at === undefined ? undefined : parseInstant(values.at);
      // Each command loads only what it needs: `help` and usage errors answer at once.
      const { formatRunSummary, runPipeline } = await import('./run.ts');
      const summary = await runPipeline({
        paths: positionals.length ? positionals : ['seeds'],
        out: values.out,
        data: values.data,
        keepData: values['keep-data'],
        quiet: values.quiet,
        ...(at ? { at } : {}),
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
    case 'dev': {
      const { values } = parseArgs({
        args: rest,
        options: {
          port: { type: 'string' },
          's3-port': { type: 'string' },
          'smtp-port': { type: 'string' },
          'mail-port': { type: 'string' },
          'subscriptions-port': { type: 'string' },
          host: { type: 'string' },
          inbox: { type: 'string' },
          data: { type: 'string' },
          seed: { type: 'boolean', default: false },
        },
      });
      const { DEV_DEFAULTS, formatDevBanner, startDev } = await import('./dev.ts');
      const port = (v: string | undefined, fallback: number, name: string) => {
        if (v === undefined) return fallback;
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--${name} must be a port number`);
        return n;
      };
      const options = {
        data: values.data ?? DEV_DEFAULTS.data,
        inbox: values.inbox ?? DEV_DEFAULTS.inbox,
        host: values.host ?? DEV_DEFAULTS.host,
        webPort: port(values.port, DEV_DEFAULTS.webPort, 'port'),
        s3Port: port(values['s3-port'], DEV_DEFAULTS.s3Port, 's3-port'),
        smtpPort: port(values['smtp-port'], DEV_DEFAULTS.smtpPort, 'smtp-port'),
        mailPort: port(values['mail-port'], DEV_DEFAULTS.mailPort, 'mail-port'),
        subscriptionsPort: port(values['subscriptions-port'], DEV_DEFAULTS.subscriptionsPort, 'subscriptions-port'),
        seed: values.seed,
      };
      const dev = await startDev(options);
      process.stdout.write(`${formatDevBanner(dev.state, options)}\n\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.stderr.write('\nstopping…\n');
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await dev.close();
      return 0;
    }
    case 'send': {
      const { values } = parseArgs({
        args: rest,
        options: { env: { type: 'boolean', default: false }, data: { type: 'string', default: '.data/dev' } },
      });
      const { formatSendResult, sendNow } = await import('./send.ts');
      const result = await sendNow({ data: values.data, env: values.env });
      let mailUrl: string | undefined;
      if (!values.env) {
        const { devStateFile } = await import('./dev.ts');
        const { readFileSync } = await import('node:fs');
        mailUrl = (JSON.parse(readFileSync(devStateFile(values.data), 'utf8')) as { mailUrl: string }).mailUrl;
      }
      process.stdout.write(`${formatSendResult(result, mailUrl)}\n`);
      return 0;
    }
    case 'subscribers': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { env: { type: 'boolean', default: false }, data: { type: 'string', default: '.data/dev' }, forget: { type: 'boolean', default: false } },
      });
      const [action, ...args] = positionals;
      if (!action) throw new UsageError('subscribers needs an action: list, add, remove, import or export');
      const { runSubscribers } = await import('./subscribers.ts');
      await runSubscribers(action, args, { data: values.data, env: values.env, forget: values.forget }, (s) => process.stdout.write(`${s}\n`));
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
