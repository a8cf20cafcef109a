import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ChunkingParams } from '../chunking/fastcdc.js';
import type { FileInfo } from '../snapshot/entry.js';
import type { Configuration } from '../storage/config.js';
import type { FileEncoder, FileOutcome } from './files.js';
import type { BlobSink } from './blob-sink.js';
import { readOutcomes } from './outcome-codec.js';

/** A worker sends its encoded blobs in batches of about this size. */
export const BATCH_BYTES = 1 << 20;
/** Encoded bytes one worker may have sent and the main thread not yet stored. */
const CREDIT_LIMIT = 8 << 20;
/** A worker gets files in groups of at most this many files and bytes... */
const GROUP_FILES = 64;
const GROUP_BYTES = 8 << 20;
/** ...and at most this many groups at once: enough to keep it busy between messages. */
const GROUPS_PER_WORKER = 2;
/** Files the walk may queue beyond those: how far it runs ahead of the encoding. */
const QUEUE = 512;

export interface WorkerData {
  config: Configuration;
  master: Uint8Array | null;
  chunking: ChunkingParams;
  credit: SharedArrayBuffer;
  creditLimit: number;
}

export interface WorkerTask {
  id: number;
  path: string;
  info: FileInfo;
}

/** Blobs (their encoded bytes one after another, their MACs, and type, encoded length, plain length each) and the files they complete. */
export interface WorkerReply {
  buf: Uint8Array<ArrayBuffer>;
  macs: Uint8Array;
  meta: Int32Array;
  /** The files' outcomes (outcome-codec.ts). */
  outcomes: Uint8Array<ArrayBuffer>;
}

interface Task extends WorkerTask {
  resolve(o: FileOutcome): void;
  reject(e: unknown): void;
}

interface Slot {
  worker: Worker;
  credit: Int32Array;
  tasks: Map<number, Task>;
  /** Groups sent and not finished: the id of each one's last task. */
  groups: number[];
}

/**
 * Encodes local files on worker threads, one per core: each reads its files and returns their
 * blobs encoded; this thread stores them (deduplicating) and keeps the walk. Memory stays bounded:
 * workers wait for credit before sending more, and the walk waits for room in the queue.
 */
export class FileWorkers implements FileEncoder {
  private readonly slots: Slot[];
  private readonly queue: Task[] = [];
  private readonly waiting: (() => void)[] = [];
  private nextId = 0;
  private failure: unknown = null;

  constructor(
    private readonly sink: BlobSink,
    chunking: ChunkingParams,
    count = Math.min(4, availableParallelism()),
  ) {
    const { config, master } = sink.codec;
    this.slots = Array.from({ length: Math.max(1, count) }, () => {
      const credit = new SharedArrayBuffer(4);
      const data: WorkerData = { config, master, chunking, credit, creditLimit: CREDIT_LIMIT };
      const worker = new Worker(new URL('./file-worker.js', import.meta.url), { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
      const slot: Slot = { worker, credit: new Int32Array(credit), tasks: new Map(), groups: [] };
      worker.on('message', (r: WorkerReply) => this.receive(slot, r));
      worker.on('error', (e) => this.fail(e));
      worker.on('exit', (code) => this.fail(new Error(`file encoder thread exited (${code})`)));
      return slot;
    });
  }

  async room(): Promise<void> {
    while (this.queue.length >= QUEUE && this.failure === null) await new Promise<void>((r) => this.waiting.push(r));
  }

  encode(path: string, info: FileInfo): Promise<FileOutcome> {
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, path, info, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot = this.slots.reduce((a, b) => (b.groups.length < a.groups.length ? b : a));
      if (slot.groups.length >= GROUPS_PER_WORKER) break;
      const group: WorkerTask[] = [];
      let bytes = 0;
      while (this.queue.length > 0 && group.length < GROUP_FILES && bytes < GROUP_BYTES) {
        const t = this.queue.shift()!;
        slot.tasks.set(t.id, t);
        group.push({ id: t.id, path: t.path, info: t.info });
        bytes += t.info.size;
      }
      slot.groups.push(group[group.length - 1]!.id);
      slot.worker.postMessage(group);
    }
    while (this.waiting.length > 0 && this.queue.length < QUEUE) this.waiting.shift()!();
  }

  private receive(slot: Slot, r: WorkerReply): void {
    // The sink stores in call order: once the last put of this batch is stored, all of it is.
    let stored: Promise<void> = Promise.resolve();
    for (let i = 0, at = 0; i < r.meta.length / 3; i++) {
      const len = r.meta[3 * i + 1]!;
      stored = this.sink.putEncoded(r.meta[3 * i]!, r.macs.subarray(32 * i, 32 * i + 32), r.buf.subarray(at, at + len), r.meta[3 * i + 2]!);
      at += len;
    }
    stored = stored.finally(() => this.release(slot, r.buf));
    stored.catch(() => {}); // handled by the tasks below, if any
    for (const { id, outcome } of readOutcomes(r.outcomes, (id) => slot.tasks.get(id)!.path)) {
      const t = slot.tasks.get(id)!;
      slot.tasks.delete(id);
      if (slot.groups[0] === id) slot.groups.shift();
      stored.then(() => t.resolve(outcome), t.reject);
    }
    this.dispatch();
  }

  /** A batch is stored: its credit goes back to the worker, and its buffer for the next batches. */
  private release(slot: Slot, buf: Uint8Array<ArrayBuffer>): void {
    Atomics.sub(slot.credit, 0, buf.length);
    Atomics.notify(slot.credit, 0);
    if (buf.buffer.byteLength === BATCH_BYTES && this.failure === null) slot.worker.postMessage(buf.buffer, [buf.buffer]);
  }

  /** A worker died (a bug or out of memory): every file not finished fails with its error. */
  private fail(e: unknown): void {
    if (this.failure !== null) return;
    this.failure = e;
    for (const s of this.slots) for (const t of s.tasks.values()) t.reject(e);
    for (const t of this.queue.splice(0)) t.reject(e);
    for (const w of this.waiting.splice(0)) w();
  }

  async close(): Promise<void> {
    this.failure ??= new Error('file encoder closed');
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
