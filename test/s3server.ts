import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface S3Endpoint {
  endpoint: string;
  location: (bucketAndPrefix: string) => string;
  options: Record<string, string>;
  /** True when the suite runs against PTAR_KIT_S3_ENDPOINT rather than a local s3rver. */
  external: boolean;
  /** `METHOD /path?query` of every request the local s3rver received; null for an external endpoint. */
  requests: string[] | null;
  stop: () => Promise<void>;
}

/*
 * s3rver runs in a child Node with --openssl-legacy-provider: it signs ListObjectsV2 continuation
 * tokens with single DES, which OpenSSL 3 (Node >= 17) refuses, so any truncated listing (over
 * 1000 keys) fails with InternalError in-process. The wrapper logs each request line to stdout.
 */
const CHILD = `
const http = require('node:http');
const S3rver = require(process.env.S3RVER_MODULE);
const handle = new S3rver({ directory: process.env.S3RVER_DIR, silent: true }).callback();
const server = http.createServer((req, res) => {
  process.stdout.write(req.method + ' ' + req.url + '\\n');
  handle(req, res);
});
server.listen(0, '127.0.0.1', () => process.stdout.write('listening ' + server.address().port + '\\n'));
process.on('SIGTERM', () => process.exit(0));
// stdin closes when the test process dies, even by a crash: never outlive it.
process.stdin.on('end', () => process.exit(0)).resume();
`;

/**
 * An S3 endpoint for tests: a throwaway s3rver on an ephemeral port, or, when PTAR_KIT_S3_ENDPOINT
 * is set (e.g. http://host:9000), that server with PTAR_KIT_S3_ACCESS_KEY / PTAR_KIT_S3_SECRET_KEY.
 */
export async function startS3(): Promise<S3Endpoint> {
  const external = process.env.PTAR_KIT_S3_ENDPOINT;
  if (external) {
    const url = new URL(external);
    return {
      endpoint: url.origin,
      location: (b) => `s3://${url.host}/${b}`,
      options: {
        use_tls: String(url.protocol === 'https:'),
        access_key: process.env.PTAR_KIT_S3_ACCESS_KEY ?? '',
        secret_access_key: process.env.PTAR_KIT_S3_SECRET_KEY ?? '',
      },
      external: true,
      requests: null,
      stop: async () => {},
    };
  }

  const directory = await mkdtemp(join(tmpdir(), 'ptar-kit-s3rver-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', CHILD], {
    env: { ...process.env, S3RVER_MODULE: createRequire(import.meta.url).resolve('s3rver'), S3RVER_DIR: directory },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const requests: string[] = [];
  let pending = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`s3rver exited with code ${code} before listening`)));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const m = /^listening (\d+)$/.exec(line);
        if (m) resolve(Number(m[1]));
        else requests.push(line);
      }
    });
  }).catch(async (e: unknown) => {
    await rm(directory, { recursive: true, force: true });
    throw e;
  });

  const host = `127.0.0.1:${port}`;
  return {
    endpoint: `http://${host}`,
    location: (b) => `s3://${host}/${b}`,
    // S3RVER/S3RVER is the key pair s3rver registers for its built-in account.
    options: { use_tls: 'false', access_key: 'S3RVER', secret_access_key: 'S3RVER' },
    external: false,
    requests,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await rm(directory, { recursive: true, force: true });
    },
  };
}
