import { UsageError } from '../../format/errors.js';
import { findByPrefix } from '../../format/snapshot/locate.js';
import { isWritable } from '../../format/store/store.js';
import { deleteSnapshots } from '../../format/write/delete.js';
import type { Opened } from '../../kapsul/context.js';
import { printJson } from '../../kapsul/output.js';

/** `plakar at LOCATION rm SNAP...`: every prefix must name exactly one snapshot before any is removed. */
export async function rmSnapshots(o: Opened, prefixes: string[], json: boolean): Promise<number> {
  if (prefixes.length === 0) throw new UsageError('rm: at least one snapshot is required');
  const store = o.repo.store;
  if (!isWritable(store)) throw new UsageError(`${store.location} is a ptar archive, which cannot change`);
  const snaps = await o.snapshots();
  const targets = prefixes.map((p) => findByPrefix(snaps, p));
  await deleteSnapshots(o.repo, store, targets.map((s) => s.id));
  if (json) await printJson({ removed: targets.map((s) => Buffer.from(s.id).toString('hex')) });
  return 0;
}
