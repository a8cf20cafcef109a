import type { Codec } from '../keys.js';
import { BlobSet } from '../util/macset.js';
import type { BlobEmitter } from './content.js';

/** Where a snapshot builder puts blobs: a ptar being written, or a store. */
export interface BlobSink {
  readonly codec: Codec;
  has(type: number, mac: Uint8Array): boolean;
  /**
   * Stores a blob unless one with the same type and MAC is already there. Blobs are stored in
   * call order: the promise resolves once this one and every earlier one are.
   */
  put(type: number, mac: Uint8Array, data: Uint8Array): Promise<void>;
  /** The same for a blob already encoded with `codec` (by a worker thread); `plainLength` is for the stats. */
  putEncoded(type: number, mac: Uint8Array, encoded: Uint8Array, plainLength: number): Promise<void>;
}

export interface SinkStats {
  blobs: number;
  dedupHits: number;
  plainBytes: number;
  storedBytes: number;
}

export interface EncodedBlob {
  type: number;
  mac: Uint8Array;
  encoded: Uint8Array;
}

/**
 * Puts blobs into a sink as a ContentCutter emits them (each is encoded during the call, while
 * its bytes are valid); `stored` settles when the last one, hence all, are stored.
 */
export class SinkEmitter {
  stored: Promise<void> = Promise.resolve();
  readonly emit: BlobEmitter = (b) => {
    this.stored = this.sink.put(b.type, b.mac, b.data);
  };

  constructor(private readonly sink: BlobSink) {}
}

/**
 * The blobs' encoded bytes as few arrays as possible: blobs from one worker batch sit side by side
 * in one buffer, and one hash update and one write for the run cost less than one per blob.
 */
export function* contiguousRuns(blobs: EncodedBlob[]): Generator<Uint8Array> {
  let run: Uint8Array | null = null;
  for (const { encoded: e } of blobs) {
    if (run !== null && run.buffer === e.buffer && run.byteOffset + run.length === e.byteOffset) {
      run = new Uint8Array(run.buffer, run.byteOffset, run.length + e.length);
      continue;
    }
    if (run !== null) yield run;
    run = e;
  }
  if (run !== null) yield run;
}

/**
 * What both writers share: deduplication, statistics, and a queue. Blobs accepted in one turn of
 * the event loop (a worker's batch, say) are written together by one call to writeBlobs, instead
 * of each waiting on a promise of its own.
 */
export abstract class QueuedSink implements BlobSink {
  readonly codec: Codec;
  readonly stats: SinkStats = { blobs: 0, dedupHits: 0, plainBytes: 0, storedBytes: 0 };
  private readonly seen: BlobSet;
  private queue: EncodedBlob[] = [];
  /** Settles when everything accepted so far is written. */
  protected tail: Promise<void> = Promise.resolve();

  /** `spillDir`: where the deduplication set may spill (see BlobSet); in memory without. */
  constructor(codec: Codec, spillDir?: string) {
    this.codec = codec;
    this.seen = new BlobSet(spillDir);
  }

  /** Drops the deduplication set (and its spill file): no blob is put after. */
  protected forget(): void {
    this.seen.close();
  }

  /** Blobs the destination holds already (besides those this sink stored). */
  protected stored(_type: number, _mac: Uint8Array): boolean {
    return false;
  }

  /** Writes accepted blobs, in order. */
  protected abstract writeBlobs(blobs: EncodedBlob[]): Promise<void>;

  has(type: number, mac: Uint8Array): boolean {
    return this.stored(type, mac) || this.seen.has(type, mac);
  }

  put(type: number, mac: Uint8Array, data: Uint8Array): Promise<void> {
    return this.claim(type, mac) ? this.enqueue(type, mac, this.codec.encode(data), data.length) : this.tail;
  }

  putEncoded(type: number, mac: Uint8Array, encoded: Uint8Array, plainLength: number): Promise<void> {
    return this.claim(type, mac) ? this.enqueue(type, mac, encoded, plainLength) : this.tail;
  }

  /** True for a blob not stored yet, which the caller must now store. */
  private claim(type: number, mac: Uint8Array): boolean {
    if (!this.stored(type, mac) && this.seen.add(type, mac)) return true;
    this.stats.dedupHits++;
    return false;
  }

  private enqueue(type: number, mac: Uint8Array, encoded: Uint8Array, plainLength: number): Promise<void> {
    this.stats.blobs++;
    this.stats.plainBytes += plainLength;
    this.stats.storedBytes += encoded.length;
    this.queue.push({ type, mac, encoded });
    if (this.queue.length === 1) {
      this.tail = this.tail.then(() => {
        const blobs = this.queue;
        this.queue = [];
        return this.writeBlobs(blobs);
      });
    }
    return this.tail;
  }
}
