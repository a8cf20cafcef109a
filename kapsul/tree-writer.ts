import { rmSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { IntegrityError, PtarError } from '../format/errors.js';

/** What a restore sets on a file or directory once its content is there. */
export interface Meta {
  /** Snapshot path, for messages. */
  path: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: Times;
  xattrs: [string, Uint8Array][];
}

/** An instant: seconds since the epoch and nanoseconds. */
export interface Times {
  sec: number;
  nsec: number;
}

export type Op =
  | { k: 'dir'; dest: string; path: string }
  | { k: 'symlink'; dest: string; target: string; uid: number; gid: number; mtime: Times }
  | { k: 'link'; dest: string; first: string }
  | { k: 'create'; tmp: string }
  | { k: 'append'; at: number; len: number }
  | { k: 'commit'; tmp: string; dest: string; meta: Meta }
  | { k: 'dirmeta'; dest: string; meta: Meta };

/** Operations, and the bytes their appends take slices of. */
export interface Batch {
  id: number;
  ops: Op[];
  data: ArrayBuffer;
}

export interface WriterData {
  asRoot: boolean;
}

export interface WorkerFailure {
  kind: 'integrity' | 'ptar' | 'system';
  message: string;
  code?: string;
  errno?: number;
  syscall?: string;
  path?: string;
}

type Reply = { id: number; data: ArrayBuffer } | { id: number; error: WorkerFailure };

/** Bytes per batch... */
const BATCH_BYTES = 1 << 20;
/** ...operations per batch... */
const BATCH_OPS = 192;
/** ...and batches sent and not yet carried out. */
const IN_FLIGHT = 4;

function rebuild(f: WorkerFailure): Error {
  if (f.kind === 'integrity') return new IntegrityError(f.message);
  if (f.kind === 'ptar') return new PtarError(f.message);
  return Object.assign(new Error(f.message), { code: f.code, errno: f.errno, syscall: f.syscall, path: f.path });
}

/**
 * A restore's filesystem operations, carried out in order on a thread of their own (opening,
 * writing, renaming files costs as much as decoding them: the two now overlap). Operations go in
 * batches with the file bytes they write; at most IN_FLIGHT batches wait, so memory is bounded.
 * Temporary files are tracked from their creation to the batch that renames them: `close()`
 * stops the thread and removes those left.
 */
export class TreeWriter {
  private readonly worker: Worker;
  private ops: Op[] = [];
  private buf: Uint8Array = new Uint8Array(BATCH_BYTES);
  private used = 0;
  private nextId = 0;
  private readonly sent = new Map<number, string[]>();
  private tmps: string[] = [];
  private readonly live = new Set<string>();
  private readonly spare: ArrayBuffer[] = [];
  private failure: Error | null = null;
  private aborting = false;
  private wake: (() => void) | null = null;

  constructor(asRoot: boolean) {
    const data: WriterData = { asRoot };
    this.worker = new Worker(new URL('./tree-writer-worker.js', import.meta.url), { workerData: data });
    this.worker.on('message', (r: Reply) => this.receive(r));
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`restore thread exited (${code})`)));
  }

  /** Queues an operation without bytes. */
  async op(op: Op): Promise<void> {
    this.ops.push(op);
    if (this.ops.length >= BATCH_OPS) await this.flush();
  }

  /** Starts writing a file under its temporary name. */
  async create(tmp: string): Promise<void> {
    this.live.add(tmp);
    await this.op({ k: 'create', tmp });
  }

  /** Appends bytes to the file being written (copied: the caller keeps `bytes`). */
  async append(bytes: Uint8Array): Promise<void> {
    for (let at = 0; at < bytes.length; ) {
      if (this.used === this.buf.length) await this.flush();
      const n = Math.min(bytes.length - at, this.buf.length - this.used);
      this.buf.set(bytes.subarray(at, at + n), this.used);
      this.ops.push({ k: 'append', at: this.used, len: n });
      this.used += n;
      at += n;
    }
  }

  /** Sets the file's metadata and renames it to `dest`. */
  async commit(tmp: string, dest: string, meta: Meta): Promise<void> {
    this.tmps.push(tmp);
    await this.op({ k: 'commit', tmp, dest, meta });
  }

  /** Throws the failure if there is one; while aborting, never returns (the process is exiting). */
  private async check(): Promise<void> {
    if (this.aborting) await new Promise<never>(() => {});
    if (this.failure) throw this.failure;
  }

  private async flush(): Promise<void> {
    await this.check();
    if (this.ops.length === 0) return;
    while (this.sent.size >= IN_FLIGHT && !this.failure) await new Promise<void>((r) => (this.wake = r));
    await this.check();
    const batch: Batch = { id: this.nextId++, ops: this.ops, data: this.buf.buffer as ArrayBuffer };
    this.sent.set(batch.id, this.tmps);
    this.worker.postMessage(batch, [batch.data]);
    this.ops = [];
    this.tmps = [];
    this.buf = new Uint8Array(this.spare.pop() ?? new ArrayBuffer(BATCH_BYTES));
    this.used = 0;
  }

  private receive(r: Reply): void {
    if ('error' in r) return this.fail(rebuild(r.error));
    for (const tmp of this.sent.get(r.id) ?? []) this.live.delete(tmp);
    this.sent.delete(r.id);
    if (this.spare.length < 2) this.spare.push(r.data);
    this.wake?.();
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.wake?.();
  }

  /** Waits until every operation is carried out; throws the first that failed. */
  async finish(): Promise<void> {
    await this.flush();
    while (this.sent.size > 0 && !this.failure) await new Promise<void>((r) => (this.wake = r));
    await this.check();
  }

  /** Interrupted: stops the thread (between two calls) and removes the temporary files it leaves; the restore waits forever. */
  async abort(): Promise<void> {
    this.aborting = true;
    await this.close();
  }

  /** Ends the thread: once finished, or else (a failure) removing what it leaves. */
  async close(): Promise<void> {
    this.failure ??= new Error('restore writer closed');
    await this.worker.terminate();
    for (const tmp of this.live) rmSync(tmp, { force: true });
    this.live.clear();
  }
}
