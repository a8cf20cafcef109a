import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { buildManifest, goJson } from '../format/manifest.js';
import { ExitCode, UsageError } from '../format/errors.js';
import { normalizeArgs } from './args.js';
import { installCrashHandlers, openArchive, out, reportError, requireArg, type Opened } from './context.js';
import { cat } from './commands/cat.js';
import { check } from './commands/check.js';
import { infoRepository, infoSnapshot } from './commands/info.js';
import { lsPath, lsSnapshots } from './commands/ls.js';
import { restoreCmd } from './commands/restore.js';

const PASSPHRASE_ENV = ['KAPSUL_PASSPHRASE', 'PLAKAR_PASSPHRASE'];

/** Every option and positional of every command; yargs fills in those of the command run. */
interface Args {
  file?: string;
  json: boolean;
  snapshot?: string;
  snapshots: string[];
  files: string[];
  recursive: boolean;
  uuid: boolean;
  to?: string;
}

async function withArchive(argv: Args, fn: (o: Opened) => Promise<number | void>): Promise<number> {
  const o = await openArchive(requireArg(argv.file, 'archive: use -f ARCHIVE'), PASSPHRASE_ENV);
  try {
    return (await fn(o)) ?? ExitCode.OK;
  } finally {
    await o.repo.close();
  }
}

export async function main(args: string[]): Promise<void> {
  installCrashHandlers('kapsul');
  let code: number = ExitCode.OK;
  const run =
    (fn: (a: Args) => Promise<number | void>) =>
    async (argv: unknown): Promise<void> => {
      code = (await fn(argv as Args)) ?? ExitCode.OK;
    };
  const parser = yargs(normalizeArgs(args))
    .scriptName('kapsul')
    .usage('kapsul [-c CORES] -f ARCHIVE COMMAND [ARGS]')
    .option('file', { alias: 'f', type: 'string', describe: 'the .ptar archive (path or http(s) URL)' })
    .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
    .option('c', { type: 'number', describe: 'CPU cores to use (accepted for compatibility)' })
    .command(
      'ls [snapshot]',
      'list snapshots, or the entries of SNAP[:PATH]',
      (y) =>
        y
          .positional('snapshot', { type: 'string' })
          .option('recursive', { alias: 'R', type: 'boolean', default: false })
          .option('uuid', { type: 'boolean', default: false }),
      run((a) =>
        withArchive(a, async (o) => {
          const snaps = await o.snapshots();
          if (a.snapshot === undefined) await lsSnapshots(snaps, { json: a.json, uuid: a.uuid });
          else await lsPath(snaps, a.snapshot, { json: a.json, recursive: a.recursive });
        }),
      ),
    )
    .command(
      'cat <files..>',
      'print files (SNAP:PATH) to standard output',
      (y) => y.positional('files', { type: 'string', array: true }),
      run((a) => withArchive(a, async (o) => cat(await o.snapshots(), a.files))),
    )
    .command(
      'restore [snapshot]',
      'restore SNAP[:PATH] into a directory',
      (y) => y.positional('snapshot', { type: 'string' }).option('to', { type: 'string', describe: 'target directory' }),
      run((a) => withArchive(a, async (o) => restoreCmd(await o.snapshots(), a.snapshot, a.to, a.json))),
    )
    .command(
      'info [snapshot]',
      'show the archive configuration, or a snapshot header',
      (y) => y.positional('snapshot', { type: 'string' }),
      run((a) =>
        withArchive(a, async (o) => {
          const snaps = await o.snapshots();
          if (a.snapshot === undefined) await infoRepository(o.repo, snaps, await o.repo.store.size(), a.json);
          else await infoSnapshot(o.repo, snaps, a.snapshot, a.json);
        }),
      ),
    )
    .command(
      'check [snapshots..]',
      'verify every blob, MAC and byte of the archive',
      (y) => y.positional('snapshots', { type: 'string', array: true, default: [] as string[] }),
      run((a) => withArchive(a, async (o) => check(o.repo, await o.snapshots(), a.snapshots, a.json))),
    )
    .command(
      'manifest',
      'print every snapshot and entry as kloset-ptar-manifest/1 JSON',
      (y) => y,
      run((a) => withArchive(a, async (o) => out(goJson(await buildManifest(o.repo, a.file!)) + '\n'))),
    )
    .command('version', 'print the version', (y) => y, run(async () => {
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
      await out(`kapsul (ptar-kit) v${pkg.version}\n`);
    }))
    .version(false)
    .demandCommand(1, 'a command is required')
    .strict()
    .help()
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    });
  try {
    await parser.parseAsync();
  } catch (e) {
    code = reportError('kapsul', e);
  }
  process.exitCode = code;
}
