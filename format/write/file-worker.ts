/**
 * Worker thread of FileWorkers: reads local files and does everything per byte (chunking, MACs,
 * entropy, content type, compression, encryption) off the main thread, which only stores what
 * comes back. Blobs are encoded here even if the main thread turns out to have them already:
 * deduplication stays in one place, and duplicates are few.
 */
import { closeSync, constants, openSync, readlinkSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { ByteWriter } from '../binary.js';
import { Chunker } from '../chunking/fastcdc.js';
import { GoTime } from '../gotime.js';
import { Codec } from '../keys.js';
import { compareBytes } from '../snapshot/btree.js';
import { xattr } from '../util/native-packages.js';
import type { FileInfo } from '../snapshot/entry.js';
import { isRegular, isSymlink } from '../snapshot/mode.js';
import { ContentCutter, fileRecord, xattrBlobs, type ContentResult, type PlainBlob } from './content.js';
import type { FileOutcome } from './files.js';
import { writeOutcome } from './outcome-codec.js';
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

/**
 * Encoded blobs and finished files on their way to the main thread, sent in batches of about
 * BATCH_BYTES. Blobs are encoded straight into the batch's buffer (MACs in a second one), which
 * is handed over whole: no array per blob.
 */
class Batch {
  private buf: Uint8Array<ArrayBuffer> = new Uint8Array(BATCH_BYTES);
  /**
   * Buffers of stored batches, handed back by the main thread: fresh memory costs a page fault
   * per 4 KiB on first use, several times a copy's cost on the virtual machines measured.
   */
  private readonly spares: ArrayBuffer[] = [];
  private used = 0;
  private macs = new Uint8Array(32 * 256);
  private meta: number[] = [];
  private readonly outcomes = new ByteWriter(1 << 16);
  private readonly place = (n: number): [Uint8Array, number] => {
    if (this.used + n > this.buf.length) {
      if (this.used > 0) this.send();
      if (n > this.buf.length) this.buf = new Uint8Array(n);
    }
    const at = this.used;
    this.used += n;
    return [this.buf, at];
  };
  readonly add = (b: PlainBlob): void => {
    const n = codec.encodeInto(b.data, this.place);
    const i = this.meta.length / 3;
    if (32 * (i + 1) > this.macs.length) {
      const grown = new Uint8Array(2 * this.macs.length);
      grown.set(this.macs);
      this.macs = grown;
    }
    this.macs.set(b.mac, 32 * i);
    this.meta.push(b.type, n, b.data.length);
  };

  recycle(b: ArrayBuffer): void {
    // A couple are enough to never allocate; more would only hold memory.
    if (this.spares.length < 2) this.spares.push(b);
  }

  finished(id: number, outcome: FileOutcome): void {
    writeOutcome(this.outcomes, id, outcome);
  }

  /** Posts what is pending once the main thread has room for it. */
  send(): void {
    const bytes = this.used;
    // The main thread gives credit back as it stores batches: wait while too much is in flight.
    for (;;) {
      const used = Atomics.load(credit, 0);
      if (used === 0 || used + bytes <= data.creditLimit) break;
      Atomics.wait(credit, 0, used, 100);
    }
    Atomics.add(credit, 0, bytes);
    const buf = this.buf;
    const macs = this.macs.slice(0, 32 * (this.meta.length / 3));
    const meta = Int32Array.from(this.meta);
    const outcomes = this.outcomes.written().slice();
    const reply: WorkerReply = { buf: buf.subarray(0, bytes), macs, meta, outcomes };
    parentPort!.postMessage(reply, [buf.buffer, macs.buffer, meta.buffer, outcomes.buffer]);
    const spare = this.spares.pop();
    this.buf = spare ? new Uint8Array(spare) : new Uint8Array(BATCH_BYTES);
    this.used = 0;
    this.meta = [];
    this.outcomes.reset();
  }
}

function readContent(path: string, batch: Batch): ContentResult {
  const cut = new ContentCutter(codec, chunker, 'file', batch.add);
  const fd = openSync(path, OPEN_FLAGS);
  try {
    for (;;) {
      const n = readSync(fd, readBuffer, 0, readBuffer.length, null);
      if (n > 0) cut.push(readBuffer.subarray(0, n));
      // A short read of a regular file is its end: no second call to be told so.
      if (n < readBuffer.length) break;
    }
  } finally {
    closeSync(fd);
  }
  return cut.end();
}

function xattrNames(path: string, out: FileOutcome): string[] {
  try {
    return xattr().listAttributesSync(path).sort(compareBytes);
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
      const x = xattrBlobs(codec, chunker, path, name, xattr().getAttributeSync(path, name) ?? new Uint8Array(0), batch.add);
      out.xattrs.push({ key: x.key, mac: x.mac });
    }
    out.record = fileRecord(codec, path, info, target, content, names);
    batch.add(out.record.blob);
  } catch (e) {
    if (!(e as NodeJS.ErrnoException).code) throw e;
    out.errors.push({ path, text: errorText(e, path) });
  }
  batch.finished(task.id, out);
}

/** Files come in groups, and their results go back together: one message per file costs more than a small file's encoding. */
const batch = new Batch();
parentPort!.on('message', (m: WorkerTask[] | ArrayBuffer) => {
  if (m instanceof ArrayBuffer) return batch.recycle(m);
  for (const t of m) encodeFile(t, batch);
  batch.send();
});
