import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../format/errors.js';
import { isWritable } from '../../format/store/store.js';
import type { SnapshotResult } from '../../format/write/builder.js';
import { StoreWriter } from '../../format/write/store-writer.js';
import { openArchive } from '../../kapsul/context.js';
import { cleanupOnInterrupt } from '../interrupt.js';
import { Progress } from '../progress.js';
import { checkPaths } from './ptar.js';
import { errorStatus, pathSnapshot, type Labels } from './ptar-write.js';

export interface BackupOptions {
  paths: string[];
  labels: Labels;
  ignore: string[];
  quiet: boolean;
  json: boolean;
  commandLine: string;
}

/**
 * `plakar at LOCATION backup [PATH...]`: one snapshot per path into a directory or S3 store, each
 * under a shared lock and committed by its own state once its packfiles are stored.
 */
export async function backup(location: string, o: BackupOptions): Promise<number> {
  const paths = await checkPaths(o.paths.length === 0 ? [process.cwd()] : o.paths);
  const opened = await openArchive(location, ['PLAKAR_PASSPHRASE']);
  const { repo } = opened;
  const store = repo.store;
  const tmpDir = await mkdtemp(join(tmpdir(), 'ptar-kit-'));
  const release = cleanupOnInterrupt(() => [tmpDir]);
  const progress = new Progress({ quiet: o.quiet, json: o.json, jsonStream: process.stdout });
  try {
    if (!isWritable(store)) throw new UsageError(`${location} is a ptar archive, which cannot change: back up into a new one with -o`);
    const writer = new StoreWriter(repo, store, tmpDir);
    const results: SnapshotResult[] = [];
    try {
      for (const root of paths) {
        const builder = await pathSnapshot(writer, root, { chunking: repo.config.chunking, commandLine: o.commandLine, tmpDir, ignore: o.ignore, progress, duration: 'measured', labels: o.labels });
        results.push(await writer.snapshot(builder.id, () => builder.build(root)));
      }
    } finally {
      writer.close();
    }
    progress.done({ archive: location, snapshots: results, ...writer.stats });
    return errorStatus('backup', results);
  } finally {
    progress.stop();
    release();
    await rm(tmpDir, { recursive: true, force: true });
    await repo.close();
  }
}
