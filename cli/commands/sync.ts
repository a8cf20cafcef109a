import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { toHex } from '../../format/binary.js';
import { newKey } from '../../format/crypto/new-key.js';
import { NotFoundError, UsageError } from '../../format/errors.js';
import type { Repository } from '../../format/repository.js';
import type { Snapshot } from '../../format/snapshot/snapshot.js';
import { storeKind } from '../../format/store/location.js';
import { isWritable, type WritableStore } from '../../format/store/store.js';
import { defaultConfiguration, enableEncryption } from '../../format/write/config.js';
import { AtomicFile } from '../../format/write/output.js';
import { PtarWriter } from '../../format/write/ptar-writer.js';
import { StoreWriter } from '../../format/write/store-writer.js';
import { openArchive, type Opened } from '../../kapsul/context.js';
import { out, printJson } from '../../kapsul/output.js';
import { cleanupOnInterrupt } from '../interrupt.js';
import { Progress } from '../progress.js';
import { copySnapshot } from '../sync.js';
import { newPassphrase } from './ptar.js';

export interface SyncOptions {
  /** Snapshot id prefixes; none means every snapshot. */
  snapshots: string[];
  direction: 'to' | 'from' | 'with';
  peer: string;
  dryRun: boolean;
  /** A new ptar destination is encrypted unless this is set. */
  plaintext: boolean;
  quiet: boolean;
  json: boolean;
}

/** A store and where its passphrase comes from: the peer's own variable first. */
interface Side {
  location: string;
  passphraseEnv: string[];
}

/**
 * `plakar at LOCATION sync [SNAP...] to|from|with PEER`: copies the snapshots the other side lacks
 * (decided by snapshot id), re-encoded for the destination. Into a directory or S3 store each
 * snapshot is committed by its own state, so an interrupted sync leaves whole snapshots only and
 * the next run copies the rest; a ptar destination is written once, whole.
 */
export async function sync(location: string, o: SyncOptions): Promise<number> {
  if (!['to', 'from', 'with'].includes(o.direction)) throw new UsageError(`sync: expected to, from or with, got ${o.direction}`);
  const here: Side = { location, passphraseEnv: ['PLAKAR_PASSPHRASE'] };
  const peer: Side = { location: o.peer, passphraseEnv: ['PLAKAR_PEER_PASSPHRASE', 'PLAKAR_PASSPHRASE'] };
  const passes: [Side, Side][] = o.direction === 'to' ? [[here, peer]] : o.direction === 'from' ? [[peer, here]] : [[here, peer], [peer, here]];
  let copied = 0;
  for (const [i, [src, dst]] of passes.entries()) copied += await syncPass(src, dst, o, i === 0);
  if (o.json) await printJson({ event: 'summary', copied, dry_run: o.dryRun });
  return 0;
}

/** One direction; `strict`: snapshot prefixes must match here (a `with` checks them on its first side). */
async function syncPass(src: Side, dst: Side, o: SyncOptions, strict: boolean): Promise<number> {
  const from = await openArchive(src.location, src.passphraseEnv, { bulk: !o.dryRun });
  let to: Opened | null = null;
  try {
    const newPtar = storeKind(dst.location) === 'ptar' && !/^(ptar\+)?https?:/.test(dst.location) && !existsSync(ptarPath(dst.location));
    if (!newPtar) {
      to = await openArchive(dst.location, dst.passphraseEnv);
      if (toHex(to.repo.config.repositoryId) === toHex(from.repo.config.repositoryId)) {
        throw new UsageError(`cannot synchronize ${src.location} with ${dst.location}: they are the same repository`);
      }
    }
    const present = new Set((to ? to.repo.index.snapshots() : []).map(toHex));
    const chosen = select(await from.snapshots(), o.snapshots);
    if (strict && o.snapshots.length > 0 && chosen.length === 0) throw new NotFoundError(`no snapshot has prefix: ${o.snapshots.join(', ')}`);
    const todo = chosen.filter((s) => !present.has(toHex(s.id)));
    if (o.dryRun) {
      for (const s of todo) {
        if (o.json) await printJson({ event: 'plan', snapshot: toHex(s.id), root: s.root, from: src.location, to: dst.location });
        else await out(`sync: would copy ${toHex(s.id).slice(0, 8)} ${s.root} from ${src.location} to ${dst.location}\n`);
      }
      return todo.length;
    }
    if (todo.length === 0) return 0;
    if (!to) return await intoNewPtar(todo, dst, o);
    const store = to.repo.store;
    if (!isWritable(store)) throw new UsageError(`${dst.location} is a ptar archive, which cannot change: sync into a new archive or a store`);
    return await intoStore(todo, to.repo, store, o);
  } finally {
    await to?.repo.close();
    await from.repo.close();
  }
}

/** Snapshots whose id starts with one of the prefixes (all when there are none). */
function select(snaps: Snapshot[], prefixes: string[]): Snapshot[] {
  for (const p of prefixes) if (!/^[0-9a-f]+$/.test(p)) throw new UsageError(`invalid snapshot id prefix: ${p}`);
  return prefixes.length === 0 ? snaps : snaps.filter((s) => prefixes.some((p) => toHex(s.id).startsWith(p)));
}

async function intoStore(todo: Snapshot[], repo: Repository, store: WritableStore, o: SyncOptions): Promise<number> {
  const progress = new Progress({ quiet: o.quiet, json: o.json, jsonStream: process.stdout });
  const tmpDir = await mkdtemp(join(tmpdir(), 'ptar-kit-'));
  const cleanup = cleanupOnInterrupt(() => [tmpDir]);
  const writer = new StoreWriter(repo, store, tmpDir);
  try {
    for (const snap of todo) await writer.snapshot(snap.id, () => copySnapshot(snap, writer, tmpDir, progress, 'measured'));
    progress.done({ archive: store.location, copied: todo.map((s) => s.id), ...writer.stats });
    return todo.length;
  } finally {
    writer.close();
    progress.stop();
    cleanup();
    await rm(tmpDir, { recursive: true, force: true });
  }
}

async function intoNewPtar(todo: Snapshot[], dst: Side, o: SyncOptions): Promise<number> {
  const config = defaultConfiguration();
  const master = o.plaintext ? null : await enableEncryption(config, newKey(newPassphrase(dst.passphraseEnv)));
  let tmp: string | null = null;
  const release = cleanupOnInterrupt(() => [tmp]);
  const file = await AtomicFile.create(ptarPath(dst.location), false);
  tmp = await mkdtemp(join(tmpdir(), 'ptar-kit-'));
  const tmpDir = tmp;
  const progress = new Progress({ quiet: o.quiet, json: o.json, jsonStream: process.stdout });
  let writer: PtarWriter | null = null;
  try {
    writer = await PtarWriter.create(file, config, master, tmpDir);
    for (const snap of todo) await copySnapshot(snap, writer, tmpDir, progress);
    await writer.finish();
    progress.done({ archive: dst.location, copied: todo.map((s) => s.id), ...writer.stats });
    return todo.length;
  } catch (e) {
    progress.stop();
    await (writer ?? file).abort();
    throw e;
  } finally {
    release();
    await rm(tmpDir, { recursive: true, force: true });
  }
}

function ptarPath(location: string): string {
  return resolve(location.startsWith('ptar://') ? location.slice('ptar://'.length) : location);
}
