import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, kapsul, REAL } from './helpers.js';
import { join } from 'node:path';

/** A static file server on loopback that honours Range (or not), counting the bytes it sends. */
function serve(honourRange: boolean): Promise<{ server: Server; base: string; sent: () => number }> {
  let sent = 0;
  const server = createServer((req, res) => {
    let body: Buffer;
    try {
      body = readFileSync(fixture(decodeURIComponent(req.url!.slice(1)).replace(/\.ptar$/, '')));
    } catch {
      res.writeHead(404).end();
      return;
    }
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (honourRange && m) {
      const start = Number(m[1]);
      const end = Math.min(Number(m[2]), body.length - 1);
      res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${body.length}`, 'Content-Length': end - start + 1 });
      sent += end - start + 1;
      res.end(body.subarray(start, end + 1));
    } else {
      res.writeHead(200, { 'Content-Length': body.length });
      sent += body.length;
      res.end(body);
    }
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sent: () => sent })),
  );
}

describe('reading over HTTP with Range requests', () => {
  let ranged: Awaited<ReturnType<typeof serve>>;
  let plain: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    ranged = await serve(true);
    plain = await serve(false);
  });
  afterAll(() => {
    ranged.server.close();
    plain.server.close();
  });

  it('lists, cats and checks an encrypted archive over http:// and ptar+http://', async () => {
    const url = `${ranged.base}/tiny-enc.ptar`;
    expect((await kapsul(url, ['ls'])).stdout.toString()).toContain('695c9e51');
    const cat = await kapsul(`ptar+${url}`, ['cat', '695c:binary.bin']);
    expect(cat.code, cat.stderr).toBe(0);
    expect(cat.stdout).toEqual(Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
    expect((await kapsul(url, ['check'])).code).toBe(0);
  });

  it('reading one file fetches only the blobs it needs', async () => {
    const before = ranged.sent();
    const m = JSON.parse(readFileSync(join(REAL, 'many-enc.manifest.json'), 'utf8')) as { snapshots: { entries: { path: string; sha256?: string }[] }[] };
    const e = m.snapshots[0]!.entries.find((x) => x.path.endsWith('dir-17/file-042.txt'))!;
    const r = await kapsul(`${ranged.base}/many-enc.ptar`, ['cat', `028e:${e.path}`]);
    expect(createHash('sha256').update(r.stdout).digest('hex')).toBe(e.sha256);
    const archive = readFileSync(fixture('many-enc')).length;
    expect(ranged.sent() - before).toBeLessThan(archive / 4);
  });

  it('refuses a server that ignores Range, and reports a missing archive', async () => {
    const r = await kapsul(`${plain.base}/tiny-plain.ptar`, ['ls']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/does not support range requests \(HTTP 200\)\n$/);
    const missing = await kapsul(`${ranged.base}/nope.ptar`, ['ls']);
    expect(missing.code).toBe(66);
  });

  it('an unreachable server is one clean line', async () => {
    const r = await kapsul('http://127.0.0.1:9/x.ptar', ['ls']);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').length).toBe(2);
  });
});
