import { openArchive } from '../kapsul/context.js';
import { SnapshotBuilder, type SnapshotResult } from '../format/write/builder.js';
import type { PtarWriter } from '../format/write/ptar-writer.js';
import { SnapshotSource } from '../format/write/snapshot-source.js';
import type { Progress } from './progress.js';

/**
 * Copies every snapshot of the repository at `location` into `writer`, as `plakar ptar -k` does:
 * each is re-imported through the destination's chunker and keys, keeping its id and header.
 */
export async function syncSnapshotsInto(location: string, writer: PtarWriter, tmpDir: string, progress: Progress): Promise<SnapshotResult[]> {
  const src = await openArchive(location, ['PLAKAR_PASSPHRASE']);
  try {
    const out: SnapshotResult[] = [];
    for (const snap of await src.snapshots()) {
      const h = snap.header;
      const builder = new SnapshotBuilder(writer, new SnapshotSource(snap), {
        id: snap.id,
        timestamp: h.timestamp,
        duration: h.duration,
        name: h.name,
        category: h.category,
        environment: h.environment,
        perimeter: h.perimeter,
        job: h.job,
        tags: h.tags,
        context: h.context,
        chunking: writer.codec.config.chunking,
        tmpDir,
        onEvent: (e) => progress.event(e),
      });
      out.push(await builder.build(snap.root));
    }
    return out;
  } finally {
    await src.repo.close();
  }
}
