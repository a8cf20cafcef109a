import { hostname, tmpdir, userInfo, cpus, availableParallelism } from 'node:os';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import ignore from 'ignore';
import { PtarError, UsageError } from '../../format/errors.js';
import type { KeyValue } from '../../format/snapshot/header.js';
import { isDir } from '../../format/snapshot/mode.js';
import { SnapshotBuilder, type SnapshotResult } from '../../format/write/builder.js';
import { defaultConfiguration, enableEncryption } from '../../format/write/config.js';
import { AtomicFile, pendingFiles, StreamOutput, type Output } from '../../format/write/output.js';
import { PtarWriter } from '../../format/write/ptar-writer.js';
import { LocalFs } from '../../format/write/source.js';
import { machineId } from '../../format/util/machine.js';
import { promptTty } from '../../kapsul/passphrase.js';
import { Progress } from '../progress.js';
import { syncSnapshotsInto } from '../sync.js';

export interface PtarOptions {
  output: string;
  paths: string[];
  plaintext: boolean;
  overwrite: boolean;
  klosets: string[];
  ignore: string[];
  quiet: boolean;
  json: boolean;
  commandLine: string;
}

const VERSION = '0.1.0';

/** Header context as Plakar records it (kloset's builder writes these keys in this order). */
export function buildContext(commandLine: string): KeyValue[] {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch === 'ia32' ? '386' : process.arch;
  return [
    { key: 'Hostname', value: hostname() },
    { key: 'Username', value: userInfo().username },
    { key: 'OperatingSystem', value: process.platform },
    { key: 'MachineID', value: machineId() },
    { key: 'CommandLine', value: commandLine },
    { key: 'ProcessID', value: String(process.pid) },
    { key: 'Architecture', value: arch },
    { key: 'NumCPU', value: String(cpus().length) },
    { key: 'MaxProcs', value: String(availableParallelism()) },
    { key: 'Client', value: `ptar-kit/v${VERSION}` },
  ];
}

/** The passphrase for a new archive: PLAKAR_PASSPHRASE, else asked twice on the terminal. */
export function newPassphrase(): string {
  const env = process.env.PLAKAR_PASSPHRASE;
  if (env !== undefined) {
    if (env === '') throw new UsageError('empty passphrase');
    return env;
  }
  const first = promptTty('passphrase: ');
  if (first === null) throw new UsageError('a passphrase is needed: set PLAKAR_PASSPHRASE or run on a terminal (or use -plaintext)');
  if (first === '') throw new UsageError('empty passphrase');
  if (promptTty('passphrase (confirm): ') !== first) throw new UsageError('passphrases do not match');
  return first;
}

/**
 * `plakar ptar`: one snapshot per path (the current directory when there is neither a path nor a
 * -k), every snapshot of each -k store first, all into one archive that appears only when done.
 */
export async function ptar(o: PtarOptions): Promise<number> {
  if (o.output === '') throw new UsageError('ptar: -o OUTPUT is required');
  if (/^[^/=]+=/.test(o.output)) throw new UsageError(`ptar: -o ${o.output}: connector options are not supported, give an archive path`);
  const paths = o.paths.length === 0 && o.klosets.length === 0 ? [process.cwd()] : o.paths.map((p) => resolve(p));
  for (const p of paths) {
    try {
      await stat(p);
    } catch (e) {
      throw new PtarError(`${p}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
    }
  }
  const config = defaultConfiguration();
  const master = o.plaintext ? null : await enableEncryption(config, newPassphrase());
  const toStdout = o.output === '-';
  // Signal handlers first, so an interruption at any point removes whatever was created. On a
  // signal nothing else matters: remove it synchronously and leave at once (waiting for the
  // pipeline to unwind could wait on the very work being interrupted).
  let tmp: string | null = null;
  const onSignal = (): void => {
    for (const f of pendingFiles) rmSync(f, { force: true });
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const out: Output = toStdout ? new StreamOutput(process.stdout) : await AtomicFile.create(resolve(o.output), o.overwrite);
  tmp = await mkdtemp(join(tmpdir(), 'ptar-kit-'));
  const progress = new Progress({ quiet: o.quiet, json: o.json, jsonStream: toStdout ? process.stderr : process.stdout });
  let writer: PtarWriter | null = null;
  const tmpDir = tmp;
  try {
    writer = await PtarWriter.create(out, config, master, tmpDir);
    const results: SnapshotResult[] = [];
    for (const k of o.klosets) results.push(...(await syncSnapshotsInto(k, writer, tmpDir, progress)));
    const own = out instanceof AtomicFile ? await ownFiles(out) : (): boolean => false;
    const filter = ignore().add(o.ignore);
    for (const root of paths) {
      const rootInfo = await stat(root);
      const base = isDirectoryPath(rootInfo.mode) ? root : resolve(root, '..');
      const builder = new SnapshotBuilder(writer, new LocalFs(hostname()), {
        context: buildContext(o.commandLine),
        chunking: config.chunking,
        tmpDir,
        exclude: (path, info) => {
          if (own(path, info.dev, info.ino)) return true;
          const rel = path.slice(base.length + 1);
          return rel !== '' && filter.ignores(isDir(info.mode) ? rel + '/' : rel);
        },
        onEvent: (e) => progress.event(e),
      });
      results.push(await builder.build(root));
    }
    await writer.finish();
    progress.done({ archive: toStdout ? '-' : resolve(o.output), snapshots: results, ...writer.stats });
    const errors = results.reduce((n, r) => n + r.errors, 0);
    if (errors > 0) {
      process.stderr.write(`ptar: ${errors} entr${errors === 1 ? 'y' : 'ies'} could not be archived (recorded in the snapshot's error list)\n`);
      return 1;
    }
    return 0;
  } catch (e) {
    progress.stop();
    await (writer ?? out).abort();
    throw e;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await rm(tmpDir, { recursive: true, force: true });
  }
}

function isDirectoryPath(mode: number): boolean {
  return (mode & 0o170000) === 0o040000;
}

/** The archive being written (its temporary file, and the file it will replace) is never archived. */
async function ownFiles(out: AtomicFile): Promise<(path: string, dev: bigint, ino: bigint) => boolean> {
  const st = await stat(out.tmp, { bigint: true });
  return (path, dev, ino) => path === out.path || (dev === st.dev && ino === st.ino);
}
