import type { Chunker } from '../chunking/fastcdc.js';
import type { Hasher } from '../crypto/blake3.js';
import type { Codec } from '../keys.js';
import { RT } from '../resources.js';
import type { FileInfo } from '../snapshot/entry.js';
import { detectContentType } from '../snapshot/mimetype.js';
import { isRegular, isSymlink } from '../snapshot/mode.js';
import { dirname } from '../snapshot/paths.js';
import { serializeEntry, serializeObject, serializeXattr, type ChunkInput } from '../snapshot/serialize.js';
import { entropy } from './entropy.js';
import type { FileSummary } from './summary.js';

/*
 * What one file becomes, computed the same way wherever it runs (the main thread for any tree
 * source, or a worker thread reading the local filesystem): its chunks and object, its extended
 * attributes, and its VFS entry. Nothing here stores anything: blobs are handed back to the caller.
 */

/** A blob to store, not yet encoded. */
export interface PlainBlob {
  type: number;
  mac: Uint8Array;
  data: Uint8Array;
}

/** Takes a blob to store; its data is only valid during the call (it may be the chunker's memory). */
export type BlobEmitter = (b: PlainBlob) => void;

export interface ContentResult {
  mac: Uint8Array;
  contentType: string;
  entropy: number;
  chunks: number;
  size: number;
}

const ZERO_MAC = new Uint8Array(32);
const NOT_REGULAR = 'application/x-not-regular-file';

/**
 * Cuts one object's content into chunks as it is pushed: each chunk goes to `emit` as a CHUNK
 * blob, and end() adds the OBJECT listing them. Files get a content type sniffed from the first
 * chunk and entropies (attribute values too, as Kloset stores them); dirpacks get neither.
 */
export class ContentCutter {
  private readonly chunks: ChunkInput[] = [];
  private contentType: string;
  private weighted = 0;
  private size = 0;
  /**
   * The content MAC. A one-chunk object's is its chunk's MAC, so it is only computed when a chunk
   * arrives before the end (the chunker's memory is reused: the first chunk cannot wait to see
   * whether a second one follows).
   */
  private content: Hasher | null = null;
  private readonly take = (c: Uint8Array): void => this.chunk(c, false);
  private readonly takeLast = (c: Uint8Array): void => this.chunk(c, true);

  constructor(
    private readonly codec: Codec,
    private readonly chunker: Chunker,
    private readonly kind: 'file' | 'dirpack',
    private readonly emit: BlobEmitter,
  ) {
    chunker.reset();
    this.contentType = kind === 'file' ? '' : 'application/octet-stream';
  }

  push(piece: Uint8Array): void {
    this.chunker.feed(piece, this.take);
  }

  /** Emits the last chunk and the object; returns what the object's entry needs. */
  end(): ContentResult {
    this.chunker.finish(this.takeLast);
    const entropy = this.kind === 'file' && this.size > 0 ? this.weighted / this.size : 0;
    const mac = this.content ? this.content.digest() : this.chunks[0]!.contentMac;
    const bytes = serializeObject({ contentMac: mac, chunks: this.chunks, contentType: this.contentType, entropy });
    const objectMac = this.codec.computeMac(bytes);
    this.emit({ type: RT.OBJECT, mac: objectMac, data: bytes });
    return { mac: objectMac, contentType: this.contentType, entropy, chunks: this.chunks.length, size: this.size };
  }

  private chunk(c: Uint8Array, last: boolean): void {
    if (this.contentType === '') this.contentType = detectContentType(c);
    const e = this.kind === 'file' ? entropy(c) : 0;
    const mac = this.codec.computeMac(c);
    if (this.content === null && !(last && this.chunks.length === 0)) this.content = this.codec.newMac();
    this.content?.update(c);
    this.emit({ type: RT.CHUNK, mac, data: c });
    this.chunks.push({ contentMac: mac, length: c.length, entropy: e });
    this.weighted += e * c.length;
    this.size += c.length;
  }
}

/** Emits an attribute value as an object, then its record; returns its xattr-tree key and record MAC. */
export function xattrBlobs(codec: Codec, chunker: Chunker, path: string, name: string, value: Uint8Array, emit: BlobEmitter): { key: string; mac: Uint8Array } {
  const cut = new ContentCutter(codec, chunker, 'file', emit);
  cut.push(value);
  const content = cut.end();
  const bytes = serializeXattr({ path, name, size: value.length, type: 0, object: content.mac });
  const mac = codec.computeMac(bytes);
  emit({ type: RT.XATTR_ENTRY, mac, data: bytes });
  return { key: `${path}${name}:`, mac };
}

/** A file's key in the content-type index: its type without parameters, then its path. */
export function contentTypeKey(contentType: string, path: string): string {
  return `/${contentType.split(';')[0]}${path}`;
}

/** A non-directory's VFS entry and what its directory's summary needs of it. */
export interface FileRecord {
  blob: PlainBlob;
  summary: FileSummary;
  /** Its key in the content-type index. */
  contentTypeKey: string;
  /** Bytes of content archived (the size recorded in the entry). */
  size: number;
}

/**
 * The entry of a file, symlink or special file. `content` is the regular file's object (its size
 * replaces lstat's: what was read is what was archived).
 */
export function fileRecord(codec: Codec, path: string, info: FileInfo, target: string, content: ContentResult | null, xattrNames: string[]): FileRecord {
  const regular = isRegular(info.mode) && content !== null;
  const contentType = regular ? content.contentType : NOT_REGULAR;
  const ent = regular ? content.entropy : 0;
  const chunks = regular ? content.chunks : 0;
  const size = regular ? content.size : 0;
  const fileInfo = regular ? { ...info, size } : info;
  const bytes = serializeEntry({
    parentPath: dirname(path),
    fileInfo,
    summary: null,
    symlinkTarget: isSymlink(info.mode) ? target : '',
    object: regular ? content.mac : ZERO_MAC,
    contentType,
    entropy: ent,
    chunks,
    extendedAttributes: xattrNames,
    tags: [],
  });
  const mac = codec.computeMac(bytes);
  return {
    blob: { type: RT.VFS_ENTRY, mac, data: bytes },
    summary: { size, objects: regular ? 1 : 0, chunks, mode: info.mode, modTime: info.modTime.sec, contentType, entropy: ent },
    contentTypeKey: contentTypeKey(contentType, path),
    size,
  };
}
