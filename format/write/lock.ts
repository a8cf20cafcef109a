import { hostname } from 'node:os';
import { toHex } from '../binary.js';
import { GoPack } from '../codec/gopack.js';
import { unpack } from '../codec/msgpack.js';
import { asBool, asMap, asString, asTime } from '../codec/fields.js';
import { PtarError } from '../errors.js';
import { GoTime } from '../gotime.js';
import type { Repository } from '../repository.js';
import { RT } from '../resources.js';
import type { WritableStore } from '../store/store.js';
import { unwrap, wrapResource } from '../storage/wrapper.js';
import { parseVersion } from '../versioning.js';

const LOCK_VERSION = parseVersion('1.0.0');
/** Kloset refreshes a held lock every 5 minutes and treats one older than 10 as abandoned. */
const LOCK_REFRESH_MS = 5 * 60_000;
const LOCK_TTL_MS = 2 * LOCK_REFRESH_MS;

export interface Lock {
  timestamp: GoTime;
  hostname: string;
  exclusive: boolean;
}

function encodeLock(repo: Repository, exclusive: boolean): Uint8Array {
  const body = new GoPack(64)
    .map(4)
    .str('version').u32(LOCK_VERSION)
    .str('timestamp').time(GoTime.fromDate(new Date()))
    .str('hostname').str(hostname())
    .str('exclusive').bool(exclusive)
    .finish();
  return wrapResource(RT.LOCK, LOCK_VERSION, repo.codec.encode(body), repo.codec.newMac());
}

export function decodeLock(repo: Repository, raw: Uint8Array): Lock {
  const { body } = unwrap(raw, RT.LOCK, repo.codec.newMac, 'lock');
  const m = asMap(unpack(repo.codec.decode(body, 'lock'), 'lock'), 'lock');
  return { timestamp: asTime(m.timestamp, 'lock timestamp'), hostname: asString(m.hostname, 'lock hostname'), exclusive: asBool(m.exclusive, 'lock exclusive') };
}

/**
 * Takes a shared lock named `id`, as a Kloset backup does: put it first, then look for an
 * exclusive lock (maintenance) and back off if there is one; abandoned locks are removed on the
 * way. The lock is refreshed until the returned release function is called.
 */
export async function sharedLock(repo: Repository, store: WritableStore, id: Uint8Array): Promise<() => Promise<void>> {
  if (/^(1|t|true)$/i.test(process.env.PLAKAR_LOCKLESS ?? '')) return async () => {};
  await store.putLock(id, encodeLock(repo, false));
  try {
    for (const other of await store.listLocks()) {
      if (toHex(other) === toHex(id)) continue;
      let lock: Lock;
      try {
        lock = decodeLock(repo, await store.getLock(other));
      } catch (e) {
        if (e instanceof PtarError && e.exitCode === 66) continue; // released meanwhile
        throw e;
      }
      if (Date.now() - Number(lock.timestamp.unixNano / 1_000_000n) >= LOCK_TTL_MS) await store.deleteLock(other);
      else if (lock.exclusive) throw new PtarError(`the store is locked for maintenance by ${lock.hostname}`);
    }
  } catch (e) {
    await store.deleteLock(id);
    throw e;
  }
  const timer = setInterval(() => {
    store.putLock(id, encodeLock(repo, false)).catch(() => {});
  }, LOCK_REFRESH_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await store.deleteLock(id);
  };
}
