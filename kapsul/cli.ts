import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import type { Argv } from 'yargs';
import { ExitCode, UsageError } from '../format/errors.js';
import { tuneMemory } from '../format/native/native.js';
import type { Opened } from './context.js';
import { installCrashHandlers, out, reportError } from './output.js';

/** Every option and positional of every command; yargs fills in those of the command run. */
export interface Args {
  json: boolean;
  snapshot?: string;
  snapshots: string[];
  files: string[];
  recursive: boolean;
  uuid: boolean;
  to?: string;
  [k: string]: unknown;
}

export type Handler = (a: Args) => Promise<number | void>;

/**
 * The read commands shared by `kapsul -f ARCHIVE …` and `plakar at LOCATION …`. `location` says
 * where the archive is for a given invocation. Each loads its modules when it runs: a command
 * starts without the code of the others (the writer derives its key meanwhile).
 */
export function readCommands<T>(y: Argv<T>, location: (a: Args) => string, passphraseEnv: string[], run: (h: Handler) => (argv: unknown) => Promise<void>): Argv<T> {
  const withArchive = async (a: Args, fn: (o: Opened) => Promise<number | void>, bulk = false): Promise<number> => {
    const loc = location(a);
    const { openArchive } = await import('./context.js');
    const o = await openArchive(loc, passphraseEnv, { bulk });
    try {
      return (await fn(o)) ?? ExitCode.OK;
    } finally {
      await o.repo.close();
    }
  };
  return y
    .command(
      'ls [snapshot]',
      'list snapshots, or the entries of SNAP[:PATH]',
      (c) =>
        c
          .positional('snapshot', { type: 'string' })
          .option('recursive', { alias: 'R', type: 'boolean', default: false })
          .option('uuid', { type: 'boolean', default: false }),
      run((a) =>
        withArchive(a, async (o) => {
          const { lsPath, lsSnapshots } = await import('./commands/ls.js');
          const snaps = await o.snapshots();
          if (a.snapshot === undefined) await lsSnapshots(snaps, { json: a.json, uuid: a.uuid });
          else await lsPath(snaps, a.snapshot, { json: a.json, recursive: a.recursive });
        }),
      ),
    )
    .command(
      'cat <files..>',
      'print files (SNAP:PATH) to standard output',
      (c) => c.positional('files', { type: 'string', array: true }),
      run((a) => withArchive(a, async (o) => (await import('./commands/cat.js')).cat(await o.snapshots(), a.files))),
    )
    .command(
      'restore [snapshot]',
      'restore SNAP[:PATH] into a directory',
      (c) => c.positional('snapshot', { type: 'string' }).option('to', { type: 'string', describe: 'target directory' }),
      run((a) => withArchive(a, async (o) => (await import('./commands/restore.js')).restoreCmd(await o.snapshots(), a.snapshot, a.to, a.json), true)),
    )
    .command(
      'info [snapshot]',
      'show the repository configuration, or a snapshot header',
      (c) => c.positional('snapshot', { type: 'string' }),
      run((a) =>
        withArchive(a, async (o) => {
          const { infoRepository, infoSnapshot } = await import('./commands/info.js');
          const snaps = await o.snapshots();
          if (a.snapshot === undefined) await infoRepository(o.repo, snaps, await o.repo.store.size(), a.json);
          else await infoSnapshot(o.repo, snaps, a.snapshot, a.json);
        }),
      ),
    )
    .command(
      'check [snapshots..]',
      'verify every blob, MAC and byte',
      (c) => c.positional('snapshots', { type: 'string', array: true, default: [] as string[] }),
      run((a) => withArchive(a, async (o) => (await import('./commands/check.js')).check(o.repo, await o.snapshots(), a.snapshots, a.json), true)),
    )
    .command(
      'manifest',
      'print every snapshot and entry as kloset-ptar-manifest/1 JSON',
      (c) => c,
      run((a) =>
        withArchive(a, async (o) => {
          const { buildManifest, goJson } = await import('../format/manifest.js');
          await out(goJson(await buildManifest(o.repo, location(a))) + '\n');
        }),
      ),
    );
}

/**
 * A smaller inlining budget for V8's optimizing compiler (TurboFan), for this process and its
 * threads. At the default (920 bytes of bytecode inlined per function) compiling took ~15% of the
 * CPU of a /usr/share create, the same hot functions being optimized in each of three threads;
 * at 100 that create takes ~6% less CPU and ~4% less time (bench/create), the hot loops being in
 * the native kernels.
 */
function tuneCompiler(): void {
  setFlagsFromString('--max-inlined-bytecode-size-cumulative=100');
}

/** Runs a yargs program built by `build`, mapping every failure to one stderr line and an exit code. */
export async function runProgram(prog: string, build: (run: (h: Handler) => (argv: unknown) => Promise<void>) => Argv<unknown>): Promise<void> {
  installCrashHandlers(prog);
  tuneMemory();
  tuneCompiler();
  let code: number = ExitCode.OK;
  const run = (h: Handler) => async (argv: unknown): Promise<void> => {
    code = (await h(argv as Args)) ?? ExitCode.OK;
  };
  const parser = build(run)
    .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
    .command('version', 'print the version', (c) => c, run(async () => {
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
      await out(`${prog} (ptar-kit) v${pkg.version}\n`);
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
    code = reportError(prog, e);
  }
  process.exitCode = code;
}
