import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { bytesEqual } from '../format/binary.js';
import { compress, decompress } from '../format/codec/compression.js';
import { LZ4_WASM } from '../format/codec/lz4-wasm.js';
import { lz4Frame, lz4UnblockJs, lz4Unframe } from '../format/codec/lz4frame.js';
import { native, setNativeDisabled } from '../format/native/native.js';
import { assemble } from '../scripts/gen-wasm.mjs';
import { blake3, blake3Keyed } from '../format/crypto/blake3.js';
import { digest } from '../format/crypto/mac.js';
import { Repository } from '../format/repository.js';
import { RT } from '../format/resources.js';
import { PtarStore } from '../format/store/ptar.js';
import { fixture, kapsul, REAL } from './helpers.js';
import { prng } from './tree.js';

const work = mkdtempSync(join(tmpdir(), 'codec-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('LZ4 frames as the real Kloset writes them', () => {
  it('every blob of a plaintext fixture is one LZ4 frame with the pierrec header, and decodes to its MAC', async () => {
    const repo = await Repository.open(await PtarStore.open(fixture('tiny-plain')));
    let frames = 0;
    for (const type of [RT.CHUNK, RT.OBJECT, RT.VFS_ENTRY, RT.VFS_NODE, RT.BTREE_NODE]) {
      for (const mac of repo.index.list(type)) {
        const stored = await repo.getEncodedBlob(type, mac);
        // magic 04 22 4D 18, FLG 0x64 (independent blocks, content checksum), BD 0x70 (4 MiB), HC 0xB9
        expect(Buffer.from(stored.subarray(0, 7)).toString('hex')).toBe('04224d186470b9');
        const plain = decompress('LZ4', stored, 'blob');
        expect(bytesEqual(repo.computeMac(plain), mac)).toBe(true);
        frames++;
      }
    }
    expect(frames).toBeGreaterThan(60);
    await repo.close();
  });

  it('a corrupted frame is an integrity error, not a crash', () => {
    const frame = Buffer.from('04224d186470b90e000080616263646566676869206a6b6c6d6e0000000049f9e4a2', 'hex');
    frame[12]! ^= 1;
    expect(() => decompress('LZ4', frame, 'test frame')).toThrow(/test frame: LZ4 decompression failed/);
  });
});

describe.each(['native', 'wasm'])('LZ4 frames as this project writes them: %s compressor', (path) => {
  const use = (): void => setNativeDisabled(path === 'wasm');
  afterEach(() => setNativeDisabled(false));
  it('runs on the compressor it names', () => {
    expect(native()).not.toBeNull();
    use();
    expect(native() === null).toBe(path === 'wasm');
  });
  const text = Buffer.concat([Buffer.from('a line of text that repeats itself\n'.repeat(200_000)), prng('lz4', 100_000)]);
  const random = prng('lz4-random', (4 << 20) + 1000);
  it.each([
    ['empty', Buffer.alloc(0)],
    ['one byte', Buffer.from([7])],
    ['over 4 MiB, compressible', text],
    ['over 4 MiB, incompressible', random],
  ])('%s: decoded by the reference lz4 tool and by the reader', (_, data) => {
    use();
    const frame = compress('LZ4', data);
    expect(Buffer.from(frame.subarray(0, 7)).toString('hex')).toBe('04224d18607073');
    const p = join(work, 'f.lz4');
    writeFileSync(p, frame);
    expect(execFileSync('lz4', ['-d', '-c', p], { maxBuffer: 64 << 20 }).equals(data)).toBe(true);
    expect(Buffer.from(decompress('LZ4', frame, 'x')).equals(data)).toBe(true);
  });
  it('random mixes of literals, runs and repeats decode with the reference lz4 tool', () => {
    // Short inputs around the format's end rules (matches stop 12 bytes before the end, the last
    // 5 bytes are literals), runs, back references at every distance up to the window.
    use();
    const rnd = prng('lz4-mix', 1 << 20);
    let r = 0;
    const next = (n: number): number => (rnd[r++ % rnd.length]! * 256 + rnd[r++ % rnd.length]!) % n;
    const inputs: Buffer[] = [];
    for (let i = 0; i < 200; i++) {
      const parts: Buffer[] = [];
      const len = i < 40 ? i : next(100_000);
      let total = 0;
      while (total < len) {
        const k = 1 + next(300);
        const kind = next(3);
        const at = next(60_000);
        const part = kind === 0 ? Buffer.from(rnd.subarray(at, at + k)) : kind === 1 ? Buffer.alloc(k, next(4)) : parts.length > 0 ? parts[next(parts.length)]! : Buffer.alloc(k, 1);
        parts.push(part);
        total += part.length;
      }
      inputs.push(Buffer.concat(parts).subarray(0, len));
    }
    const frames = inputs.map((d) => compress('LZ4', d).slice());
    setNativeDisabled(false);
    frames.forEach((f, i) => writeFileSync(join(work, `mix${i}.lz4`), f));
    const decoded = execFileSync('sh', ['-c', `for i in $(seq 0 ${inputs.length - 1}); do lz4 -d -c ${work}/mix$i.lz4 | sha256sum; done`], { encoding: 'utf8' }).trim().split('\n');
    inputs.forEach((d, i) => {
      expect(decoded[i]!.split(' ')[0]).toBe(createHash('sha256').update(d).digest('hex'));
      expect(Buffer.from(decompress('LZ4', frames[i]!, 'x')).equals(d)).toBe(true);
    });
  });
  it('the embedded compressor is the assembly of lz4.wat', async () => {
    expect(Buffer.from(LZ4_WASM).equals(Buffer.from((await assemble('lz4')) as Uint8Array))).toBe(true);
  });
  it('blocks are at most 4 MiB; one that does not shrink is stored', () => {
    use();
    const frame = compress('LZ4', random);
    const size = (o: number) => frame[o]! | (frame[o + 1]! << 8) | (frame[o + 2]! << 16) | (frame[o + 3]! << 24);
    const first = size(7);
    expect(first >>> 0).toBe((0x80000000 | (4 << 20)) >>> 0);
    expect(size(11 + (4 << 20)) >>> 0).toBe((0x80000000 | 1000) >>> 0);
    expect(frame.length).toBe(7 + 4 + (4 << 20) + 4 + 1000 + 4);
    expect(compress('LZ4', text).length).toBeLessThan(text.length / 4);
  });
});

describe('native LZ4 compressor', () => {
  it('writes blocks byte-identical to the reference lz4 tool (lz4 -1 -B7 --no-frame-crc) on text, runs and random data', () => {
    expect(native()).not.toBeNull();
    const rnd = prng('lz4-same', 3 << 20);
    const inputs = [Buffer.alloc(0), Buffer.alloc(1, 7), Buffer.alloc(13, 1), Buffer.from('abcabcabcabcabcabc'), rnd.subarray(0, 70_000), Buffer.alloc(5 << 20, 9)];
    for (let i = 0; i < 40; i++) inputs.push(Buffer.from(Buffer.from(`line ${i} of a text with some repetition ${'x'.repeat(i)}\n`).toString().repeat(1 + i * 50)));
    // Repeats farther back than a match may reach (64 KiB), and a text mixed with noise.
    inputs.push(Buffer.concat([rnd.subarray(0, 1 << 20), rnd.subarray(0, 1 << 20), Buffer.from('tail')]));
    const words = Array.from({ length: 300 }, (_, i) => `w${(i * 7919) % 1000}`);
    inputs.push(Buffer.from(Array.from({ length: 400_000 }, (_, i) => words[(i * 31 + (rnd[i % rnd.length]! & 7)) % words.length]).join(' ')));
    inputs.forEach((d, i) => writeFileSync(join(work, `same${i}`), d));
    execFileSync('sh', ['-c', `for i in $(seq 0 ${inputs.length - 1}); do lz4 -q -f -1 -B7 --no-frame-crc ${work}/same$i ${work}/same$i.lz4; done`]);
    // The tool declares a smaller block size (BD) for a smaller input, a whole block still: the
    // frame header may differ, the blocks may not.
    inputs.forEach((d, i) => expect(Buffer.from(compress('LZ4', d)).subarray(7).equals(readFileSync(join(work, `same${i}.lz4`)).subarray(7)), `input ${i}`).toBe(true));
  });
});

describe.each(['native', 'js'])('LZ4 frame decoding: %s block decoder', (path) => {
  const use = (): void => setNativeDisabled(path === 'js');
  afterEach(() => setNativeDisabled(false));
  const text = Buffer.concat([Buffer.from('decoded by our own reader, block after block\n'.repeat(150_000)), prng('lz4-read', 700_000)]);

  it('reads every kind of frame the reference lz4 tool writes', () => {
    const p = join(work, 'read');
    writeFileSync(p, text);
    // Block sizes 64K to 4M; dependent blocks (matches across blocks); block checksums; content size; no content checksum.
    const variants = [['-B4'], ['-B5'], ['-B6'], ['-B7'], ['-B4', '-BD'], ['-B5', '-BD', '-9'], ['-BX', '-B4'], ['--content-size'], ['--no-frame-crc'], ['-B4', '-BD', '-BX', '--content-size']];
    variants.forEach((v, i) => execFileSync('lz4', ['-q', '-f', ...v, p, `${p}${i}.lz4`]));
    use();
    variants.forEach((v, i) => expect(Buffer.from(decompress('LZ4', readFileSync(`${p}${i}.lz4`), 'x')).equals(text), v.join(' ')).toBe(true));
    expect(decompress('LZ4', readFileSync(`${p}0.lz4`), 'x').length).toBe(text.length);
  });

  it('refuses malformed frames and frames decoding past the limit, with what is wrong', () => {
    const frame = lz4Frame(text).slice();
    use();
    expect(() => lz4Unframe(frame, text.length - 1)).toThrow(/more than/);
    expect(Buffer.from(lz4Unframe(frame, text.length)).equals(text)).toBe(true);
    expect(() => lz4Unframe(frame.subarray(0, frame.length - 1), 1 << 30)).toThrow('truncated LZ4 frame');
    expect(() => lz4Unframe(frame.subarray(0, 100), 1 << 30)).toThrow('truncated LZ4 frame');
    // As Kloset's reader does, bytes after the frame are ignored.
    expect(Buffer.from(lz4Unframe(Buffer.concat([frame, Buffer.alloc(9, 1)]), 1 << 30)).equals(text)).toBe(true);
    const bad = (at: number, v: number): Uint8Array => Object.assign(frame.slice(), { [at]: v });
    expect(() => lz4Unframe(bad(0, 0), 1 << 30)).toThrow('not an LZ4 frame');
    expect(() => lz4Unframe(bad(4, 0x20), 1 << 30)).toThrow('LZ4 frame version 0');
    expect(() => lz4Unframe(bad(5, 0x30), 1 << 30)).toThrow('invalid LZ4 frame descriptor');
    expect(() => lz4Unframe(bad(10, 0x7f), 1 << 30)).toThrow(/LZ4 block larger|truncated/);
  });
});

describe('LZ4 block decoding of damaged input', () => {
  it('gives an error or some bytes, never writes past its output, and the same in C and JS', () => {
    const text = Buffer.concat([Buffer.from('decoded by our own reader, block after block\n'.repeat(5000)), prng('lz4-read', 100_000)]);
    const src = lz4Frame(text).slice();
    const block = src.subarray(11, 11 + (new DataView(src.buffer).getUint32(7, true) & 0x7fffffff));
    const rnd = prng('lz4-fuzz', 4 * 3000);
    const outs = [new Uint8Array(text.length + 100), new Uint8Array(text.length + 100)];
    const zeros = new Uint8Array(200);
    let failed = 0;
    for (let i = 0; i < 3000; i++) {
      const b = block.slice(0, i % 10 === 0 ? rnd[4 * i]! * 64 : block.length);
      for (let k = 0; k < 1 + (i % 3); k++) b[(rnd[4 * i + 1]! * 256 + rnd[4 * i + 2]! + k * 977) % b.length]! ^= 1 + rnd[4 * i + 3]!;
      const cap = text.length - 50 + (i % 100);
      for (const o of outs) o.fill(0);
      const n = native()!.lz4Unblock(b, outs[0]!, 0, cap);
      const m = lz4UnblockJs(b, outs[1]!, 0, cap);
      expect(m, `case ${i}`).toBe(n);
      if (n >= 0) expect(Buffer.compare(outs[0]!.subarray(0, n), outs[1]!.subarray(0, n)), `case ${i}`).toBe(0);
      for (const o of outs) expect(Buffer.compare(o.subarray(cap), zeros.subarray(0, o.length - cap)), `case ${i}`).toBe(0);
      if (n < 0) failed++;
    }
    expect(failed).toBeGreaterThan(100);
    expect(failed).toBeLessThan(3000);
  });
});

describe('gzip and zstd decoding', () => {
  const data = Buffer.concat([prng('codec', 200_000), Buffer.alloc(100_000, 7)]);
  it('gzip', () => {
    expect(Buffer.from(decompress('GZIP', gzipSync(data), 'x')).equals(data)).toBe(true);
  });
  it('zstd frames from the reference zstd tool', () => {
    const p = join(work, 'z');
    writeFileSync(p, data);
    execFileSync('zstd', ['-q', '-f', '-3', p, '-o', `${p}.zst`]);
    expect(Buffer.from(decompress('ZSTD', readFileSync(`${p}.zst`), 'x')).equals(data)).toBe(true);
    // fzstd does not verify the frame's content checksum: a damaged frame decodes to other bytes
    // or fails; either way the blob's MAC, checked after every decode, refuses it.
    const bad = readFileSync(`${p}.zst`);
    bad[Math.floor(bad.length / 2)]! ^= 0xff;
    let out: Uint8Array | null = null;
    try {
      out = decompress('ZSTD', bad, 'x');
    } catch (e) {
      expect((e as Error).message).toMatch(/ZSTD decompression failed/);
    }
    if (out) expect(Buffer.from(out).equals(data)).toBe(false);
  });
});

describe('legacy _PLAKAR_ resource magic', () => {
  it('is accepted, with the MAC over the legacy header', async () => {
    // Rewrite tiny-plain's config, packfile and state wrappers with the pre-release magic and
    // recompute their MACs (plaintext: unkeyed BLAKE3 for the config, BLAKE3 keyed by
    // BLAKE3(RepositoryID) for the others).
    const info = JSON.parse(readFileSync(join(REAL, 'tiny-plain.info.json'), 'utf8')) as { ptar_layout: Record<string, number>; configuration: { repository_id: string } };
    const b = readFileSync(fixture('tiny-plain'));
    const key = digest(blake3(), Buffer.from(info.configuration.repository_id.replace(/-/g, ''), 'hex'));
    for (const [what, unkeyed] of [['config', true], ['packfile', false], ['state', false]] as const) {
      const off = info.ptar_layout[`${what}_offset`]!;
      const len = info.ptar_layout[`${what}_length`]!;
      b.write('_PLAKAR_', off, 'latin1');
      const h = unkeyed ? blake3() : blake3Keyed(key);
      h.update(b.subarray(off, off + len - 32));
      Buffer.from(h.digest()).copy(b, off + len - 32);
    }
    const p = join(work, 'legacy.ptar');
    writeFileSync(p, b);
    const r = await kapsul(p, ['check']);
    expect(r.code, r.stderr).toBe(0);
  });
});
