import type { Repository } from '../repository.js';
import { RT } from '../resources.js';
import { STATE_VERSION_1_1 } from '../state.js';
import type { WritableStore } from '../store/store.js';
import { wrapResource } from '../storage/wrapper.js';
import { nowNano, StateStream } from './state.js';
import { latestState } from './store-writer.js';

/**
 * Deletes snapshots as Kloset does: one state per snapshot that colours it (a logical deletion;
 * its blobs stay until maintenance), named by the MAC of the state stream.
 */
export async function deleteSnapshots(repo: Repository, store: WritableStore, ids: Uint8Array[]): Promise<void> {
  const latest = latestState(repo.states);
  let parent = latest?.id ?? new Uint8Array(32);
  const serial = latest?.metadata.serial ?? repo.config.repositoryId;
  for (const id of ids) {
    const now = nowNano();
    const stream = new StateStream(parent).coloured(RT.SNAPSHOT, id, now).finish(now, serial);
    const stateId = repo.computeMac(stream);
    await store.putState(stateId, wrapResource(RT.STATE, STATE_VERSION_1_1, repo.codec.encode(stream), repo.codec.newMac()));
    parent = stateId;
  }
}
