/**
 * Worker thread of FileWorkers: reads local files and does everything per byte (chunking, MACs,
 * entropy, content type, compression, encryption) off the main thread, which only stores what
 * comes back. Blobs are encoded here even if the main thread turns out to have them already:
 * deduplication stays in one place, and duplicates are few.
 */
import { closeSync, constants, openSync, readlinkSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { getAttributeSync, listAttributesSync } from '@napi-rs/xattr';
import { Chunker } from '../chunking/fastcdc.js';
import { GoTime } from '../gotime.js';
import { Codec } from '../keys.js';
import { compareBytes } from '../snapshot/btree.js';
import type { FileInfo } from '../snapshot/entry.js';
import { isRegular, isSymlink } from '../snapshot/mode.js';
import { ContentCutter, fileRecord, xattrBlobs, type ContentResult, type PlainBlob } from './content.js';
import type { FileOutcome } from './files.js';
import { errorText } from './source.js';
import { BATCH_BYTES, type WorkerData, type WorkerReply, type WorkerTask } from './file-workers.js';

const data = workerData as WorkerData;
const codec = new Codec(data.config, data.master);
const chunker = new Chunker(data.chunking);
const credit = new Int32Array(data.credit);
const readBuffer = new Uint8Array(1 << 20);
// O_NOFOLLOW: a file swapped for a symlink since lstat is not followed; O_NONBLOCK: nor does one
// swapped for a FIFO hang the backup.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** Encoded blobs and finished files on their way to the main thread, sent in batches of about BATCH_BYTES. */
class Batch {
  private blobs: { type: number; mac: Uint8Array; encoded: Uint8Array; plain: number }[] = [];
  private outcomes: { id: number; outcome: FileOutcome }[] = [];
  private bytes = 0;

  add(list: PlainBlob[]): void {
    for (const b of list) {
      const encoded = codec.encode(b.data);
      this.blobs.push({ type: b.type, mac: b.mac, encoded, plain: b.data.length });
      this.bytes += encoded.length + 32;
      if (this.bytes >= BATCH_BYTES) this.send();
    }
  }

  finished(id: number, outcome: FileOutcome): void {
    this.outcomes.push({ id, outcome: compact(outcome) });
  }

  /** Posts what is pending once the main thread has room for it. */
  send(): void {
    const n = this.blobs.length;
    const buf = new Uint8Array(this.bytes);
    const meta = new Int32Array(3 * n);
    let at = 32 * n;
    for (const [i, b] of this.blobs.entries()) {
      buf.set(b.mac, 32 * i);
      buf.set(b.encoded, at);
      at += b.encoded.length;
      meta[3 * i] = b.type;
      meta[3 * i + 1] = b.encoded.length;
      meta[3 * i + 2] = b.plain;
    }
    // The main thread gives credit back as it stores batches: wait while too much is in flight.
    for (;;) {
      const used = Atomics.load(credit, 0);
      if (used === 0 || used + buf.length <= data.creditLimit) break;
      Atomics.wait(credit, 0, used, 100);
    }
    Atomics.add(credit, 0, buf.length);
    const reply: WorkerReply = { buf, meta, outcomes: this.outcomes };
    parentPort!.postMessage(reply, [buf.buffer, meta.buffer]);
    this.blobs = [];
    this.outcomes = [];
    this.bytes = 0;
  }
}

/** A clone carries a view's whole buffer (often a pool of several KiB): send exact copies. */
function compact(o: FileOutcome): FileOutcome {
  const r = o.record;
  return {
    record: r && { ...r, blob: { type: r.blob.type, mac: r.blob.mac.slice(), data: r.blob.data.slice() } },
    xattrs: o.xattrs.map((x) => ({ key: x.key, mac: x.mac.slice() })),
    errors: o.errors,
  };
}

function readContent(path: string, batch: Batch): ContentResult {
  const cut = new ContentCutter(codec, chunker, 'file');
  const fd = openSync(path, OPEN_FLAGS);
  try {
    for (;;) {
      const n = readSync(fd, readBuffer, 0, readBuffer.length, null);
      if (n > 0) batch.add(cut.push(readBuffer.subarray(0, n)));
      // A short read of a regular file is its end: no second call to be told so.
      if (n < readBuffer.length) break;
    }
  } finally {
    closeSync(fd);
  }
  const end = cut.end();
  batch.add(end.blobs);
  return end.content;
}

function xattrNames(path: string, out: FileOutcome): string[] {
  try {
    return listAttributesSync(path).sort(compareBytes);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') out.errors.push({ path, text: errorText(e, path) });
    return [];
  }
}

function encodeFile(task: WorkerTask, batch: Batch): void {
  const { path } = task;
  const info: FileInfo = { ...task.info, modTime: new GoTime(task.info.modTime.sec, task.info.modTime.nsec) };
  const out: FileOutcome = { record: null, xattrs: [], errors: [] };
  try {
    let target = '';
    let content: ContentResult | null = null;
    if (isSymlink(info.mode)) target = readlinkSync(path);
    else if (isRegular(info.mode)) content = readContent(path, batch);
    const names = isSymlink(info.mode) ? [] : xattrNames(path, out);
    for (const name of names) {
      const x = xattrBlobs(codec, chunker, path, name, getAttributeSync(path, name) ?? new Uint8Array(0));
      batch.add(x.blobs);
      out.xattrs.push({ key: x.key, mac: x.mac });
    }
    out.record = fileRecord(codec, path, info, target, content, names);
    batch.add([out.record.blob]);
  } catch (e) {
    if (!(e as NodeJS.ErrnoException).code) throw e;
    out.errors.push({ path, text: errorText(e, path) });
  }
  batch.finished(task.id, out);
}

/** Files come in groups, and their results go back together: one message per file costs more than a small file's encoding. */
parentPort!.on('message', (tasks: WorkerTask[]) => {
  const batch = new Batch();
  for (const t of tasks) encodeFile(t, batch);
  batch.send();
});
