import { hostname, tmpdir, userInfo, cpus, availableParallelism } from 'node:os';
import { lstat, mkdtemp, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { NewKey } from '../../format/crypto/new-key.js';
import type { KeyValue } from '../../format/snapshot/header.js';
import { isDir } from '../../format/snapshot/mode.js';
import { FileWorkers } from '../../format/write/file-workers.js';
import { SnapshotBuilder, type SnapshotResult } from '../../format/write/builder.js';
import { defaultConfiguration, enableEncryption } from '../../format/write/config.js';
import { AtomicFile, StreamOutput, type Output } from '../../format/write/output.js';
import type { BlobSink } from '../../format/write/blob-sink.js';
import { PtarWriter } from '../../format/write/ptar-writer.js';
import type { ChunkingParams } from '../../format/chunking/fastcdc.js';
import { LocalFs } from '../../format/write/source.js';
import { machineId } from '../../format/util/machine.js';
import { cleanupOnInterrupt } from '../interrupt.js';
import { Progress } from '../progress.js';
import { syncSnapshotsInto } from '../sync.js';
import type { PtarOptions } from './ptar.js';

const VERSION = '0.1.0';
// require(), not import: Node would first scan this CommonJS package for its exports.
const ignore = createRequire(import.meta.url)('ignore') as typeof import('ignore');

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

/** What `plakar ptar` does once its arguments are checked and its key (if any) is being derived. */
export async function writeArchive(o: PtarOptions, paths: string[], key: NewKey | null): Promise<number> {
  const config = defaultConfiguration();
  const master = key === null ? null : await enableEncryption(config, key);
  const toStdout = o.output === '-';
  // Signal handlers first, so an interruption at any point removes whatever was created.
  let tmp: string | null = null;
  const release = cleanupOnInterrupt(() => [tmp]);
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
    for (const root of paths) {
      const builder = await pathSnapshot(writer, root, { chunking: config.chunking, commandLine: o.commandLine, tmpDir, ignore: o.ignore, own, progress });
      results.push(await builder.build(root));
    }
    await writer.finish();
    progress.done({ archive: toStdout ? '-' : resolve(o.output), snapshots: results, ...writer.stats });
    return errorStatus('ptar', results);
  } catch (e) {
    progress.stop();
    await (writer ?? out).abort();
    throw e;
  } finally {
    release();
    await rm(tmpDir, { recursive: true, force: true });
  }
}

export interface PathSnapshotOptions {
  chunking: ChunkingParams;
  commandLine: string;
  tmpDir: string;
  ignore: string[];
  progress: Progress;
  /** Files never to archive (the archive being written). */
  own?: (path: string, dev: bigint, ino: bigint) => boolean;
  duration?: 'measured';
  /** Header labels (`plakar backup -name ... -tag ...`). */
  labels?: Labels;
}

export interface Labels {
  name: string;
  category: string;
  environment: string;
  perimeter: string;
  job: string;
  tags: string[];
}

/** The builder of one snapshot of a local path, with -ignore patterns relative to it. */
export async function pathSnapshot(sink: BlobSink, root: string, o: PathSnapshotOptions): Promise<SnapshotBuilder> {
  // As the builder decides: a root that is not itself a directory (a symlink too) is archived from its parent.
  const base = (await lstat(root)).isDirectory() ? root : resolve(root, '..');
  const filter = o.ignore.length > 0 ? ignore().add(o.ignore) : null;
  return new SnapshotBuilder(sink, new LocalFs(hostname()), {
    context: buildContext(o.commandLine),
    chunking: o.chunking,
    tmpDir: o.tmpDir,
    duration: o.duration,
    ...o.labels,
    exclude: (path, info) => {
      if (o.own?.(path, info.dev, info.ino)) return true;
      const rel = path.slice(base.length + 1);
      return filter !== null && rel !== '' && filter.ignores(isDir(info.mode) ? rel + '/' : rel);
    },
    onEvent: (e) => o.progress.event(e),
    files: () => new FileWorkers(sink, o.chunking),
  });
}

/** Exit status 1 and one line when entries could not be read (they are in the snapshot's error list). */
export function errorStatus(prog: string, results: SnapshotResult[]): number {
  const errors = results.reduce((n, r) => n + r.errors, 0);
  if (errors === 0) return 0;
  process.stderr.write(`${prog}: ${errors} entr${errors === 1 ? 'y' : 'ies'} could not be archived (recorded in the snapshot's error list)\n`);
  return 1;
}

/** The archive being written (its temporary file, and the file it will replace) is never archived. */
async function ownFiles(out: AtomicFile): Promise<(path: string, dev: bigint, ino: bigint) => boolean> {
  const st = await stat(out.tmp, { bigint: true });
  return (path, dev, ino) => path === out.path || (dev === st.dev && ino === st.ino);
}
