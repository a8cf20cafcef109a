import { Chunker, type ChunkingParams } from '../chunking/fastcdc.js';
import type { FileInfo } from '../snapshot/entry.js';
import { isRegular, isSymlink } from '../snapshot/mode.js';
import { ContentCutter, fileRecord, xattrBlobs, type ContentResult, type FileRecord } from './content.js';
import { SinkEmitter, type BlobSink } from './blob-sink.js';
import { errorText, type TreeSource } from './source.js';
import { compareBytes } from '../snapshot/btree.js';

/** What encoding one non-directory gave: its entry (null if it could not be read), attributes, errors. */
export interface FileOutcome {
  record: FileRecord | null;
  xattrs: { key: string; mac: Uint8Array }[];
  /** Entries that could not be read, as Go words it ("open /x: permission denied"). */
  errors: { path: string; text: string }[];
}

/**
 * Turns the files, symlinks and special files of a walk into blobs and entries. The walk calls
 * room() before each encode(): that bounds how far it runs ahead of the encoding.
 */
export interface FileEncoder {
  room(): Promise<void>;
  /** Resolves once every blob of the file is in the sink. */
  encode(path: string, info: FileInfo): Promise<FileOutcome>;
  close(): Promise<void>;
}

/** Files read and encoded at once on the main thread: enough to overlap reads with hashing and encoding. */
const CONCURRENCY = 4;

/** Encodes files on the main thread, reading them through any tree source. */
export class InProcessFiles implements FileEncoder {
  private readonly chunkers: Chunker[] = [];
  private running = 0;
  private waiting: (() => void)[] = [];

  constructor(
    private readonly sink: BlobSink,
    private readonly src: TreeSource,
    private readonly chunking: ChunkingParams,
  ) {}

  async room(): Promise<void> {
    while (this.running >= CONCURRENCY) await new Promise<void>((r) => this.waiting.push(r));
  }

  async encode(path: string, info: FileInfo): Promise<FileOutcome> {
    this.running++;
    const chunker = this.chunkers.pop() ?? new Chunker(this.chunking);
    try {
      return await this.run(chunker, path, info);
    } finally {
      this.chunkers.push(chunker);
      this.running--;
      this.waiting.shift()?.();
    }
  }

  private async run(chunker: Chunker, path: string, info: FileInfo): Promise<FileOutcome> {
    const codec = this.sink.codec;
    const out: FileOutcome = { record: null, xattrs: [], errors: [] };
    const sink = new SinkEmitter(this.sink);
    try {
      let target = '';
      let content: ContentResult | null = null;
      if (isSymlink(info.mode)) target = await this.src.readlink(path);
      else if (isRegular(info.mode)) {
        const cut = new ContentCutter(codec, chunker, 'file', sink.emit);
        for await (const piece of this.src.read(path, info.size)) {
          cut.push(piece);
          await sink.stored;
        }
        content = cut.end();
      }
      const names = isSymlink(info.mode) ? [] : await this.xattrNames(path, out);
      for (const name of names) {
        const x = xattrBlobs(codec, chunker, path, name, await this.src.xattr(path, name), sink.emit);
        out.xattrs.push({ key: x.key, mac: x.mac });
      }
      out.record = fileRecord(codec, path, info, target, content, names);
      sink.emit(out.record.blob);
      await sink.stored;
    } catch (e) {
      if (!(e as NodeJS.ErrnoException).code) throw e;
      out.errors.push({ path, text: errorText(e, path) });
    }
    return out;
  }

  private async xattrNames(path: string, out: FileOutcome): Promise<string[]> {
    try {
      return (await this.src.xattrNames(path)).sort(compareBytes);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') out.errors.push({ path, text: errorText(e, path) });
      return [];
    }
  }

  async close(): Promise<void> {}
}
