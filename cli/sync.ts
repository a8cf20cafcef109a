import { openArchive } from '../kapsul/context.js';
import type { Snapshot } from '../format/snapshot/snapshot.js';
import { SnapshotBuilder, type SnapshotResult } from '../format/write/builder.js';
import type { BlobSink } from '../format/write/blob-sink.js';
import { SnapshotSource } from '../format/write/snapshot-source.js';
import type { Progress } from './progress.js';

/**
 * Re-imports a snapshot into another repository, as Kloset's sync does: content is re-chunked
 * and re-keyed for the destination, the id and header are kept. A ptar bundle keeps the source's
 * duration; a commit into a store records its own.
 */
export function copySnapshot(snap: Snapshot, sink: BlobSink, tmpDir: string, progress: Progress, duration?: 'measured'): Promise<SnapshotResult> {
  const h = snap.header;
  const builder = new SnapshotBuilder(sink, new SnapshotSource(snap), {
    id: snap.id,
    timestamp: h.timestamp,
    duration: duration ?? h.duration,
    name: h.name,
    category: h.category,
    environment: h.environment,
    perimeter: h.perimeter,
    job: h.job,
    tags: h.tags,
    context: h.context,
    chunking: sink.codec.config.chunking,
    tmpDir,
    onEvent: (e) => progress.event(e),
  });
  return builder.build(snap.root);
}

/** `plakar ptar -k LOCATION`: every snapshot of the store at `location` into `writer`. */
export async function syncSnapshotsInto(location: string, writer: BlobSink, tmpDir: string, progress: Progress): Promise<SnapshotResult[]> {
  const src = await openArchive(location, ['PLAKAR_PASSPHRASE'], { bulk: true });
  try {
    const out: SnapshotResult[] = [];
    for (const snap of await src.snapshots()) out.push(await copySnapshot(snap, writer, tmpDir, progress));
    return out;
  } finally {
    await src.repo.close();
  }
}
