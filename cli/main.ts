import { homedir } from 'node:os';
import { join } from 'node:path';
import yargs, { type Argv } from 'yargs';
import { UsageError } from '../format/errors.js';
import { normalizeArgs } from '../kapsul/args.js';
import { readCommands, runProgram, type Args, type Handler } from '../kapsul/cli.js';
import { ptar } from './commands/ptar.js';
import type { Labels } from './commands/ptar-write.js';

const PASSPHRASE_ENV = ['PLAKAR_PASSPHRASE'];

function writeOptions<T>(c: Argv<T>) {
  return c
    .positional('paths', { type: 'string', array: true, default: [] as string[] })
    .option('o', { type: 'string', describe: 'the .ptar archive to write (- for standard output)' })
    .option('plaintext', { type: 'boolean', default: false, describe: 'do not encrypt' })
    .option('overwrite', { type: 'boolean', default: false, describe: 'replace an existing archive' })
    .option('k', { type: 'string', array: true, default: [] as string[], describe: 'also bundle every snapshot of this store or archive' })
    .option('ignore', { type: 'string', array: true, default: [] as string[], describe: 'exclude paths matching this gitignore pattern' })
    .option('quiet', { type: 'boolean', default: false, describe: 'no progress output' });
}

/** Plakar's `backup` labels; the tag list may also come from PLAKAR_TAGS. */
function labelOptions<T>(c: Argv<T>) {
  return c
    .option('name', { type: 'string', default: 'default', describe: 'backup name' })
    .option('category', { type: 'string', default: '', describe: 'backup category' })
    .option('environment', { type: 'string', default: '', describe: 'backup environment' })
    .option('perimeter', { type: 'string', default: '', describe: 'backup perimeter' })
    .option('job', { type: 'string', default: '', describe: 'backup job' })
    .option('tag', { type: 'string', default: '', describe: 'comma-separated tags' });
}

function labels(a: Args): Labels {
  const list = (s: string): string[] => s.split(',').map((t) => t.trim()).filter((t) => t !== '');
  const tags = list(a.tag as string);
  return {
    name: a.name as string,
    category: a.category as string,
    environment: a.environment as string,
    perimeter: a.perimeter as string,
    job: a.job as string,
    tags: tags.length > 0 ? tags : list(process.env.PLAKAR_TAGS ?? ''),
  };
}

/** `plakar [at LOCATION] COMMAND …`: like plakar, the store defaults to ~/.plakar. */
export function main(args: string[]): Promise<void> {
  let location = process.env.PLAKAR_REPOSITORY ?? join(homedir(), '.plakar');
  let rest = args;
  if (rest[0] === 'at' && rest.length >= 2) {
    location = rest[1]!;
    rest = rest.slice(2);
  }
  const commandLine = ['plakar', ...args].join(' ');
  const write = (a: Args): Promise<number> =>
    ptar({
      output: (a.o as string | undefined) ?? '',
      paths: a.paths as string[],
      plaintext: a.plaintext as boolean,
      overwrite: a.overwrite as boolean,
      klosets: a.k as string[],
      ignore: a.ignore as string[],
      quiet: a.quiet as boolean,
      json: a.json,
      commandLine,
    });
  return runProgram('plakar', (run: (h: Handler) => (argv: unknown) => Promise<void>) => {
    const y = yargs(normalizeArgs(rest)).scriptName('plakar').usage('plakar [at LOCATION] COMMAND [ARGS]');
    return readCommands(y, () => location, PASSPHRASE_ENV, run)
      .command('ptar [paths..]', 'write a .ptar archive of paths and/or other archives', writeOptions, run(write))
      .command(
        'backup [paths..]',
        'back up paths; with -o OUT.ptar, into a new archive',
        (c) => labelOptions(writeOptions(c)),
        run(async (a) => {
          if (a.o !== undefined && !/^[^/=]+=/.test(a.o as string)) return write(a);
          if (a.o !== undefined) throw new UsageError(`backup: -o ${a.o as string}: connector options are not supported`);
          if ((a.k as string[]).length > 0) throw new UsageError('backup: -k needs -o OUT.ptar');
          const { backup } = await import('./commands/backup.js');
          return backup(location, { paths: a.paths as string[], labels: labels(a), ignore: a.ignore as string[], quiet: a.quiet as boolean, json: a.json, commandLine });
        }),
      )
      .command(
        'create',
        'create a directory or S3 store at the location',
        (c) => c.option('plaintext', { type: 'boolean', default: false, describe: 'do not encrypt' }),
        run(async (a) => (await import('./commands/create.js')).create(location, a.plaintext as boolean, a.json)),
      )
      .command(
        'rm <snapshots..>',
        'remove snapshots from a store',
        (c) => c.positional('snapshots', { type: 'string', array: true }),
        run(async (a) => {
          const [{ openArchive }, { rmSnapshots }] = await Promise.all([import('../kapsul/context.js'), import('./commands/rm.js')]);
          const o = await openArchive(location, PASSPHRASE_ENV);
          try {
            return await rmSnapshots(o, a.snapshots, a.json);
          } finally {
            await o.repo.close();
          }
        }),
      )
      .command(
        'sync <args..>',
        'copy snapshots: sync [SNAP...] to|from|with LOCATION',
        (c) =>
          c
            .positional('args', { type: 'string', array: true })
            .option('dry-run', { type: 'boolean', default: false, describe: 'print what would be copied' })
            .option('plaintext', { type: 'boolean', default: false, describe: 'a new ptar destination is not encrypted' })
            .option('quiet', { type: 'boolean', default: false, describe: 'no progress output' }),
        run(async (a) => {
          const args = a.args as string[];
          if (args.length < 2) throw new UsageError('usage: sync [SNAPSHOT...] to|from|with LOCATION');
          const { sync } = await import('./commands/sync.js');
          return sync(location, {
            snapshots: args.slice(0, -2),
            direction: args[args.length - 2] as 'to',
            peer: args[args.length - 1]!,
            dryRun: a['dry-run'] as boolean,
            plaintext: a.plaintext as boolean,
            quiet: a.quiet as boolean,
            json: a.json,
          });
        }),
      );
  });
}
