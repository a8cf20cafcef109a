import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../format/binary.js';
import { IntegrityError, NotFoundError, PtarError } from '../format/errors.js';
import { S3Store } from '../format/store/s3.js';
import { startS3, type S3Endpoint } from './s3server.js';

const id = (): Uint8Array => new Uint8Array(randomBytes(32));
const sortHex = (ids: Uint8Array[]): string[] => ids.map(toHex).sort();

let s3: S3Endpoint;
let raw: S3Client;
// Unique per run so the suite can also point at a long-lived external endpoint.
const bucket = `ptar-kit-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  s3 = await startS3();
  raw = new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: s3.options.access_key!, secretAccessKey: s3.options.secret_access_key! },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
});

afterAll(async () => {
  raw?.destroy();
  await s3?.stop();
});

/** A closed port: bound, noted and released, so connecting to it is refused. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

/** Compares bytes without vitest deep equality, which runs out of heap on a 40 MiB array even when equal. */
function expectBytes(got: Uint8Array, want: Uint8Array): void {
  expect(got.length).toBe(want.length);
  expect(Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(want), 'bytes differ').toBe(true);
}

function expectOneLine(e: Error): void {
  expect(e.message).not.toMatch(/\n/);
  expect(e.message).not.toMatch(/\$metadata|requestId|\[object/);
}

describe('S3Store against a real S3 wire protocol', () => {
  let store: S3Store;
  const config = new Uint8Array(randomBytes(300));

  beforeAll(async () => {
    store = await S3Store.open(s3.location(`${bucket}/some/prefix`), s3.options);
  });
  afterAll(() => store?.close());

  it('creates a store once, then refuses a second create', async () => {
    await store.create(config);
    expect(await store.getConfig()).toEqual(config);
    const head = await raw.send(new HeadObjectCommand({ Bucket: bucket, Key: 'some/prefix/CONFIG' }));
    expect(head.ContentLength).toBe(300);

    const again = await S3Store.open(s3.location(`${bucket}/some/prefix/`), s3.options);
    try {
      const e = await rejection(again.create(config));
      expect(e).toBeInstanceOf(PtarError);
      expect(e.message).toMatch(/already exists/);
    } finally {
      await again.close();
    }
  });

  it('puts, gets, lists and deletes states under plakar key names', async () => {
    const a = id();
    const b = id();
    const data = new Uint8Array(randomBytes(1000));
    await store.putState(a, data);
    await store.putState(b, new Uint8Array(0));
    expect(await store.getState(a)).toEqual(data);
    expect(await store.getState(b)).toEqual(new Uint8Array(0));
    expect(sortHex(await store.listStates())).toEqual(sortHex([a, b]));
    const hex = toHex(a);
    const obj = await raw.send(new GetObjectCommand({ Bucket: bucket, Key: `some/prefix/states/${hex.slice(0, 2)}/${hex}` }));
    expect(new Uint8Array(await obj.Body!.transformToByteArray())).toEqual(data);

    await store.deleteState(a);
    await store.deleteState(b);
    expect(await store.listStates()).toEqual([]);
    const e = await rejection(store.getState(a));
    expect(e).toBeInstanceOf(NotFoundError);
    expect(e.message).toBe(`s3: state ${hex} not found`);
  });

  it('puts, gets, lists and deletes locks', async () => {
    const l = id();
    const data = new TextEncoder().encode('{"hostname":"h"}');
    await store.putLock(l, data);
    expect(await store.getLock(l)).toEqual(data);
    expect(sortHex(await store.listLocks())).toEqual([toHex(l)]);
    await raw.send(new HeadObjectCommand({ Bucket: bucket, Key: `some/prefix/locks/${toHex(l)}` }));
    await store.deleteLock(l);
    expect(await store.listLocks()).toEqual([]);
    expect(await rejection(store.getLock(l))).toBeInstanceOf(NotFoundError);
  });

  it('round-trips a small packfile and reads exact ranges', async () => {
    const p = id();
    const data = new Uint8Array(randomBytes(1000));
    await store.putPackfile(p, data);
    expect(await store.packfileSize(p)).toBe(1000);
    expect(await store.readPackfile(p, 0, 1000)).toEqual(data);
    // A one-byte read at 0 is `bytes=0-0`, which s3rver answers with the whole object.
    expect(await store.readPackfile(p, 0, 1)).toEqual(data.subarray(0, 1));
    expect(await store.readPackfile(p, 0, 16)).toEqual(data.subarray(0, 16));
    expect(await store.readPackfile(p, 999, 1)).toEqual(data.subarray(999));
    expect(await store.readPackfile(p, 500, 0)).toEqual(new Uint8Array(0));
    await store.deletePackfile(p);
    expect(await rejection(store.packfileSize(p))).toBeInstanceOf(NotFoundError);
  });

  it('round-trips a 40 MiB packfile through multipart upload, with ranged reads', async () => {
    const p = id();
    const size = 40 * 1024 * 1024;
    const data = new Uint8Array(randomBytes(size));
    const seen = s3.requests?.length ?? 0;
    await store.putPackfile(p, data);
    const hex = toHex(p);
    const key = `/${bucket}/some/prefix/packfiles/${hex.slice(0, 2)}/${hex}`;
    if (s3.requests) {
      // s3rver gives multipart objects a plain MD5 ETag, not "<md5>-<parts>", so look at the requests.
      const sent = s3.requests.slice(seen).filter((r) => r.includes(key));
      expect(sent.filter((r) => r.startsWith(`POST ${key}?uploads`))).toHaveLength(1);
      expect(sent.filter((r) => /^PUT .*partNumber=\d/.test(r))).toHaveLength(3); // 16 + 16 + 8 MiB
      expect(sent.filter((r) => r.startsWith('POST ') && r.includes('uploadId='))).toHaveLength(1);
    }
    const head = await raw.send(new HeadObjectCommand({ Bucket: bucket, Key: key.slice(bucket.length + 2) }));
    expect(head.ContentLength).toBe(size);
    expect(await store.packfileSize(p)).toBe(size);

    expectBytes(await store.readPackfile(p, 0, 16), data.subarray(0, 16));
    const mid = 16 * 1024 * 1024 - 100; // straddles the first part boundary
    expectBytes(await store.readPackfile(p, mid, 4096), data.subarray(mid, mid + 4096));
    expectBytes(await store.readPackfile(p, size - 10, 10), data.subarray(size - 10));
    expectBytes(await store.readPackfile(p, 0, size), data);

    const past = await rejection(store.readPackfile(p, size - 10, 11));
    expect(past).toBeInstanceOf(IntegrityError);
    expectOneLine(past);
    const beyond = await rejection(store.readPackfile(p, size + 5, 10));
    expect(beyond).toBeInstanceOf(IntegrityError);

    expect(sortHex(await store.listPackfiles())).toEqual([hex]);
    expect(await store.size()).toBe(size + config.length);
    await store.deletePackfile(p);
    expect(await store.listPackfiles()).toEqual([]);
  });

  it('lists only its own well-formed names', async () => {
    const mine = id();
    await store.putPackfile(mine, new Uint8Array([1, 2, 3]));
    const other = toHex(id());
    const foreign = [
      'some/prefix/packfiles/ab/notahexname',
      `some/prefix/packfiles/zz/${other}`, // wrong fan-out directory
      `some/prefix/packfiles/${other}`, // missing fan-out directory
      `some/prefix/locks/sub/${other}`,
      `elsewhere/packfiles/${other.slice(0, 2)}/${other}`, // outside the prefix
      `some/prefixed/states/${other.slice(0, 2)}/${other}`, // shares the prefix string, not the directory
    ];
    for (const Key of foreign) await raw.send(new PutObjectCommand({ Bucket: bucket, Key, Body: 'x' }));
    const all = await raw.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(all.KeyCount).toBeGreaterThanOrEqual(foreign.length + 2);

    expect(sortHex(await store.listPackfiles())).toEqual([toHex(mine)]);
    expect(await store.listStates()).toEqual([]);
    expect(await store.listLocks()).toEqual([]);
    await store.deletePackfile(mine);
  });

  it('pages through listings longer than one response', async () => {
    // s3rver, like S3, returns at most 1000 keys per ListObjectsV2 page.
    const ids = Array.from({ length: 1005 }, id);
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(ids.slice(i, i + 50).map((l) => store.putLock(l, new Uint8Array([1]))));
    }
    expect(sortHex(await store.listLocks())).toEqual(sortHex(ids));
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(ids.slice(i, i + 50).map((l) => store.deleteLock(l)));
    }
    expect(await store.listLocks()).toEqual([]);
  });
});

describe('S3Store failures, each as one clear line', () => {
  it('reports a location without CONFIG as no store', async () => {
    const st = await S3Store.open(s3.location(`${bucket}/nothing/here`), s3.options);
    try {
      const e = await rejection(st.getConfig());
      expect(e).toBeInstanceOf(NotFoundError);
      expect(e.message).toBe(`s3: no store at ${s3.location(`${bucket}/nothing/here`)}`);
    } finally {
      await st.close();
    }
  });

  it('reports a missing bucket', async () => {
    const st = await S3Store.open(s3.location('no-such-bucket-ptar-kit/p'), s3.options);
    try {
      for (const op of [() => st.getConfig(), () => st.listStates(), () => st.getState(id())]) {
        const e = await rejection(op());
        expect(e).toBeInstanceOf(NotFoundError);
        expect(e.message).toBe('s3: bucket no-such-bucket-ptar-kit does not exist');
      }
    } finally {
      await st.close();
    }
  });

  it('fails fast and plainly on an unreachable endpoint', async () => {
    const port = await closedPort();
    const st = await S3Store.open(`s3://127.0.0.1:${port}/bkt`, { use_tls: 'false', access_key: 'a', secret_access_key: 'b' });
    const t0 = Date.now();
    try {
      const e = await rejection(st.getConfig());
      expect(e).toBeInstanceOf(PtarError);
      expect(e).not.toBeInstanceOf(NotFoundError);
      expect(e.message).toBe(`s3: cannot reach http://127.0.0.1:${port}: ECONNREFUSED`);
    } finally {
      await st.close();
    }
    expect(Date.now() - t0).toBeLessThan(15_000);
  }, 20_000);

  // Needs a plain-http endpoint to speak TLS to.
  it.skipIf(process.env.PTAR_KIT_S3_ENDPOINT?.startsWith('https:'))('names a TLS mismatch instead of dumping OpenSSL internals', async () => {
    const st = await S3Store.open(s3.location(`${bucket}/some/prefix`), { ...s3.options, use_tls: 'true' });
    try {
      const e = await rejection(st.getConfig());
      expect(e).toBeInstanceOf(PtarError);
      expect(e.message).toMatch(/^s3: TLS failure talking to https:\/\/[^ ]+: EPROTO$/);
    } finally {
      await st.close();
    }
  });

  it('rejects an unknown access key', async () => {
    const st = await S3Store.open(s3.location(`${bucket}/some/prefix`), { ...s3.options, access_key: 'NOT-A-KEY' });
    try {
      const e = await rejection(st.getConfig());
      expect(e).toBeInstanceOf(PtarError);
      expect(e).not.toBeInstanceOf(NotFoundError);
      expect(e.message).toMatch(/^s3: CONFIG: InvalidAccessKeyId: /);
      expectOneLine(e);
      // A HEAD answer has no body to name the error, so the status is all there is to say.
      const head = await rejection(st.packfileSize(id()));
      expect(head).not.toBeInstanceOf(NotFoundError);
      expect(head.message).toMatch(/^s3: packfile [0-9a-f]{64}: HTTP 403$/);
    } finally {
      await st.close();
    }
  });

  it('treats a wrong secret as s3rver does (it never verifies SigV4 signatures) or as a real server does', async () => {
    const st = await S3Store.open(s3.location(`${bucket}/some/prefix`), { ...s3.options, secret_access_key: 'wrong-secret' });
    try {
      if (s3.external) {
        const e = await rejection(st.getConfig());
        expect(e.message).toMatch(/^s3: CONFIG: SignatureDoesNotMatch: /);
      } else {
        expect((await st.getConfig()).length).toBe(300);
      }
    } finally {
      await st.close();
    }
  });

  it('takes options from the location query string, explicit options winning', async () => {
    const { access_key, secret_access_key, use_tls } = s3.options;
    const q = new URLSearchParams({ use_tls: use_tls!, access_key: access_key!, secret_access_key: secret_access_key! });
    const st = await S3Store.open(`${s3.location(`${bucket}/some/prefix`)}?${q}`);
    try {
      expect((await st.getConfig()).length).toBe(300);
      expect(st.location).toBe(s3.location(`${bucket}/some/prefix`));
    } finally {
      await st.close();
    }
    const overridden = await S3Store.open(`${s3.location(`${bucket}/some/prefix`)}?${q}`, { access_key: 'NOT-A-KEY', secret_access_key: 'x' });
    try {
      expect((await rejection(overridden.getConfig())).message).toMatch(/InvalidAccessKeyId/);
    } finally {
      await overridden.close();
    }
  });
});
