import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type _Object,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { toHex } from '../binary.js';
import { IntegrityError, NotFoundError, PtarError, UsageError } from '../errors.js';
import { AtomicFile, pendingFiles, type Output } from '../write/output.js';
import { bucketPath, parseResourceName, type WritableStore } from './store.js';

const PART_SIZE = 16 * 1024 * 1024;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

interface Target {
  bucket: string;
  endpoint: string;
}

/**
 * Turns any SDK failure into one PtarError line: the SDK's own errors carry request ids, XML
 * bodies and stacks that mean nothing to a user, and callers rely on exit codes, not on types.
 */
// The SDK warns on every run under Node 20 that its 2027 releases will need Node 22: noise on
// stderr for a command-line tool whose errors are one line.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export function s3Error(e: unknown, what: string, t: Target): PtarError {
  if (e instanceof PtarError) return e;
  const err = (e ?? {}) as { name?: string; code?: string; message?: string; errors?: { code?: string }[]; $metadata?: { httpStatusCode?: number } };
  // Node 20 reports a refused dual-stack connect as an AggregateError whose parts carry the code.
  const code = err.code ?? err.errors?.find((x) => x.code)?.code;
  if ((code && NETWORK_CODES.has(code)) || err.name === 'TimeoutError') {
    return new PtarError(`s3: cannot reach ${t.endpoint}: ${code ?? err.name}`);
  }
  // An https location on a plain-http server, or a certificate the system does not trust.
  if (code && /^EPROTO$|SSL|TLS|CERT/.test(code)) return new PtarError(`s3: TLS failure talking to ${t.endpoint}: ${code}`);
  if (err.name === 'CredentialsProviderError') {
    return new PtarError('s3: no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the access_key and secret_access_key options');
  }
  if (err.name === 'NoSuchBucket') return new NotFoundError(`s3: bucket ${t.bucket} does not exist`);
  const status = err.$metadata?.httpStatusCode;
  if (err.name === 'NoSuchKey' || err.name === 'NotFound' || status === 404) return new NotFoundError(`s3: ${what} not found`);
  // HEAD responses have no body, so the SDK knows only the status ("Unknown: UnknownError").
  if (status && (err.name === 'Unknown' || err.message === 'UnknownError')) return new PtarError(`s3: ${what}: HTTP ${status}`);
  const message = (err.message ?? String(e)).replace(/\s+/g, ' ').trim();
  return new PtarError(`s3: ${what}: ${err.name ?? 'Error'}: ${message}`);
}

/**
 * A Kloset store in an S3 bucket, laid out exactly as plakar's S3 integration writes it:
 * `<prefix>CONFIG`, `<prefix>packfiles/XX/<hex>`, `<prefix>states/XX/<hex>`, `<prefix>locks/<hex>`.
 */
export class S3Store implements WritableStore {
  readonly writable = true;

  private constructor(
    readonly location: string,
    private readonly client: S3Client,
    private readonly target: Target,
    private readonly prefix: string,
  ) {}

  /**
   * `s3://host[:port]/bucket[/prefix]`, options as in plakar (access_key, secret_access_key,
   * use_tls, region) plus virtual_host; they may also ride on the location's query string.
   */
  static async open(location: string, options: Record<string, string> = {}): Promise<S3Store> {
    let url: URL;
    let segments: string[];
    try {
      url = new URL(location);
      segments = url.pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
    } catch {
      throw new UsageError(`s3: invalid location ${location}`);
    }
    if (url.protocol !== 's3:' || !url.host || segments.length === 0) {
      throw new UsageError(`s3: location must be s3://host[:port]/bucket[/prefix], not ${location}`);
    }
    const opts: Record<string, string> = { ...Object.fromEntries(url.searchParams), ...options };
    const bool = (name: string, def: boolean): boolean => {
      const v = opts[name];
      if (v === undefined) return def;
      if (/^(true|1|yes)$/i.test(v)) return true;
      if (/^(false|0|no)$/i.test(v)) return false;
      throw new UsageError(`s3: invalid ${name} value ${v}`);
    };
    if ((opts.access_key === undefined) !== (opts.secret_access_key === undefined)) {
      throw new UsageError('s3: access_key and secret_access_key go together');
    }
    const endpoint = `${bool('use_tls', true) ? 'https' : 'http'}://${url.host}`;
    const client = new S3Client({
      endpoint,
      region: opts.region ?? process.env.AWS_REGION ?? 'us-east-1',
      forcePathStyle: !bool('virtual_host', false),
      // Without explicit keys the SDK's default chain reads AWS_ACCESS_KEY_ID, profiles, and so on.
      credentials: opts.access_key !== undefined ? { accessKeyId: opts.access_key, secretAccessKey: opts.secret_access_key! } : undefined,
      // Default checksums send aws-chunked bodies with trailers that many S3-compatible servers reject.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
      // The SDK builds its NodeHttpHandler from these; without a connect timeout a dead host hangs for minutes.
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 120_000 },
    });
    url.search = '';
    const prefix = segments.slice(1).join('/');
    return new S3Store(url.toString(), client, { bucket: segments[0]!, endpoint }, prefix ? `${prefix}/` : '');
  }

  private async send<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      throw s3Error(e, what, this.target);
    }
  }

  private async getObject(key: string, what: string): Promise<Uint8Array> {
    return this.send(what, async () => {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.target.bucket, Key: this.prefix + key }));
      return res.Body!.transformToByteArray();
    });
  }

  private async putObject(key: string, data: Uint8Array, what: string): Promise<void> {
    await this.send(what, () => this.client.send(new PutObjectCommand({ Bucket: this.target.bucket, Key: this.prefix + key, Body: data })));
  }

  private async deleteObject(key: string, what: string): Promise<void> {
    await this.send(what, () => this.client.send(new DeleteObjectCommand({ Bucket: this.target.bucket, Key: this.prefix + key })));
  }

  private async listObjects(sub: string): Promise<_Object[]> {
    const out: _Object[] = [];
    let token: string | undefined;
    do {
      const res = await this.send(`list ${this.prefix + sub}`, () =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.target.bucket, Prefix: this.prefix + sub, ContinuationToken: token })),
      );
      out.push(...(res.Contents ?? []));
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  /** Ids of well-formed resource names only: anything else sharing the prefix is not ours. */
  private async listIds(kind: 'packfiles' | 'states' | 'locks'): Promise<Uint8Array[]> {
    const ids: Uint8Array[] = [];
    for (const o of await this.listObjects(`${kind}/`)) {
      const name = o.Key!.slice(this.prefix.length);
      const id = parseResourceName(name.slice(name.lastIndexOf('/') + 1));
      if (id && name === keyOf(kind, id)) ids.push(id);
    }
    return ids;
  }

  getConfig(): Promise<Uint8Array> {
    return this.send('CONFIG', async () => {
      try {
        const res = await this.client.send(new GetObjectCommand({ Bucket: this.target.bucket, Key: `${this.prefix}CONFIG` }));
        return await res.Body!.transformToByteArray();
      } catch (e) {
        if ((e as { name?: string }).name === 'NoSuchKey') throw new NotFoundError(`s3: no store at ${this.location}`);
        throw e;
      }
    });
  }

  async create(config: Uint8Array): Promise<void> {
    const Bucket = this.target.bucket;
    // HEAD first, as plakar does: creating a bucket we may only write into would be refused.
    const exists = await this.send(`bucket ${Bucket}`, () =>
      this.client.send(new HeadBucketCommand({ Bucket })).then(
        () => true,
        (e: { $metadata?: { httpStatusCode?: number } }) => (e.$metadata?.httpStatusCode === 404 ? false : Promise.reject(e)),
      ),
    );
    if (!exists) {
      const region = await this.client.config.region();
      await this.send(`create bucket ${Bucket}`, () =>
        this.client
          .send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: region === 'us-east-1' ? undefined : { LocationConstraint: region as BucketLocationConstraint } }))
          .catch((e: { name?: string }) => {
            if (e.name !== 'BucketAlreadyOwnedByYou' && e.name !== 'BucketAlreadyExists') throw e;
          }),
      );
    }
    const hasConfig = await this.send('CONFIG', () =>
      this.client.send(new HeadObjectCommand({ Bucket, Key: `${this.prefix}CONFIG` })).then(
        () => true,
        (e: { $metadata?: { httpStatusCode?: number } }) => (e.$metadata?.httpStatusCode === 404 ? false : Promise.reject(e)),
      ),
    );
    if (hasConfig) throw new PtarError(`s3: a store already exists at ${this.location}`);
    await this.putObject('CONFIG', config, 'CONFIG');
  }

  listStates(): Promise<Uint8Array[]> {
    return this.listIds('states');
  }

  getState(id: Uint8Array): Promise<Uint8Array> {
    return this.getObject(keyOf('states', id), `state ${toHex(id)}`);
  }

  putState(id: Uint8Array, data: Uint8Array): Promise<void> {
    return this.putObject(keyOf('states', id), data, `state ${toHex(id)}`);
  }

  deleteState(id: Uint8Array): Promise<void> {
    return this.deleteObject(keyOf('states', id), `state ${toHex(id)}`);
  }

  listPackfiles(): Promise<Uint8Array[]> {
    return this.listIds('packfiles');
  }

  async packfileSize(id: Uint8Array): Promise<number> {
    const res = await this.send(`packfile ${toHex(id)}`, () =>
      this.client.send(new HeadObjectCommand({ Bucket: this.target.bucket, Key: this.prefix + keyOf('packfiles', id) })),
    );
    return res.ContentLength ?? 0;
  }

  async readPackfile(id: Uint8Array, offset: number, length: number): Promise<Uint8Array> {
    const what = `packfile ${toHex(id)}`;
    if (offset < 0 || length < 0) throw new IntegrityError(`s3: ${what}: invalid range [${offset}, +${length})`);
    if (length === 0) return new Uint8Array(0);
    const short = (): IntegrityError => new IntegrityError(`s3: ${what}: range [${offset}, +${length}) is outside the packfile`);
    const { body, start } = await this.send(what, async () => {
      try {
        const res = await this.client.send(
          new GetObjectCommand({ Bucket: this.target.bucket, Key: this.prefix + keyOf('packfiles', id), Range: `bytes=${offset}-${offset + length - 1}` }),
        );
        // Trust Content-Range over our request: a server may ignore the range (200, whole
        // object) or widen it (s3rver turns `bytes=0-0` into the whole object).
        const m = /^bytes (\d+)-/.exec(res.ContentRange ?? '');
        return { body: await res.Body!.transformToByteArray(), start: m ? Number(m[1]) : 0 };
      } catch (e) {
        if ((e as { name?: string }).name === 'InvalidRange') throw short();
        throw e;
      }
    });
    const data = body.subarray(offset - start, offset - start + length);
    if (offset < start || data.length < length) throw short();
    return data;
  }

  putPackfile(id: Uint8Array, data: Uint8Array | Readable): Promise<void> {
    return this.upload(keyOf('packfiles', id), data, `packfile ${toHex(id)}`);
  }

  /** Multipart above one part: a single PUT of a large object is capped at 5 GiB and not resumable. */
  private upload(key: string, data: Uint8Array | Readable, what: string): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.target.bucket, Key: this.prefix + key, Body: data },
      partSize: PART_SIZE,
      queueSize: 2,
    });
    return this.send(what, () => upload.done()).then(() => {});
  }

  packfileOutput(id: Uint8Array): Promise<Output> {
    return this.spooled(keyOf('packfiles', id), `packfile ${toHex(id)}`);
  }

  stateOutput(id: Uint8Array): Promise<Output> {
    return this.spooled(keyOf('states', id), `state ${toHex(id)}`);
  }

  /** Spooled to a local temporary file, uploaded on commit: memory stays at one buffer and the parts in flight. */
  private async spooled(key: string, what: string): Promise<Output> {
    const spool = await AtomicFile.create(join(tmpdir(), `ptar-kit-${key.replace(/\//g, '-')}`), true);
    return {
      get offset() {
        return spool.offset;
      },
      write: (b) => spool.write(b),
      commit: async () => {
        await spool.commit();
        pendingFiles.add(spool.path);
        try {
          await this.upload(key, createReadStream(spool.path), what);
        } finally {
          await rm(spool.path, { force: true });
          pendingFiles.delete(spool.path);
        }
      },
      abort: () => spool.abort(),
    };
  }

  deletePackfile(id: Uint8Array): Promise<void> {
    return this.deleteObject(keyOf('packfiles', id), `packfile ${toHex(id)}`);
  }

  listLocks(): Promise<Uint8Array[]> {
    return this.listIds('locks');
  }

  getLock(id: Uint8Array): Promise<Uint8Array> {
    return this.getObject(keyOf('locks', id), `lock ${toHex(id)}`);
  }

  putLock(id: Uint8Array, data: Uint8Array): Promise<void> {
    return this.putObject(keyOf('locks', id), data, `lock ${toHex(id)}`);
  }

  deleteLock(id: Uint8Array): Promise<void> {
    return this.deleteObject(keyOf('locks', id), `lock ${toHex(id)}`);
  }

  async size(): Promise<number> {
    let total = 0;
    for (const o of await this.listObjects('')) total += o.Size ?? 0;
    return total;
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

function keyOf(kind: 'packfiles' | 'states' | 'locks', id: Uint8Array): string {
  return kind === 'locks' ? `locks/${toHex(id)}` : bucketPath(kind, id);
}
