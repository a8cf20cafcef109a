import { createCipheriv, randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { aeskw as nobleAeskw, gcmsiv as nobleGcmsiv } from '@noble/ciphers/aes.js';
import { Polyval as NoblePolyval } from '@noble/ciphers/_polyval.js';
import { argon2id as nobleArgon2id } from '@noble/hashes/argon2.js';
import { blake3 as nobleBlake3 } from '@noble/hashes/blake3.js';
import { AES_CTR, AES_DATA, aesKernel } from '../format/crypto/aes.js';
import { AES_WASM } from '../format/crypto/aes-wasm.js';
import { aesKeyUnwrap, aesKeyWrap, aesKeyWrapMany } from '../format/crypto/aeskw.js';
import { argon2Backend, argon2id, setArgon2PreferJs, type Argon2Params } from '../format/crypto/argon2.js';
import { blake3, blake3Backend, blake3Keyed, blake3KeyedOneShot, hmacSha256, sha256, setBlake3PreferJs } from '../format/crypto/blake3.js';
import { gcmSivOpen, gcmSivSeal } from '../format/crypto/gcmsiv.js';
import { decryptStream, encryptedLength, encryptStream } from '../format/crypto/stream.js';
import type { EncryptionConfig } from '../format/storage/config.js';
import {
  Polyval,
  polyval,
  polyvalBackend,
  polyvalBackendAvailable,
  polyvalSiv,
  setPolyvalBackend,
  wasmKernel,
  type PolyvalBackendName,
} from '../format/crypto/polyval.js';
import { IntegrityError, UnsupportedError } from '../format/errors.js';
import { native, setNativeDisabled, tuneMemory } from '../format/native/native.js';
import { assemble } from '../scripts/gen-wasm.mjs';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');

/** Runs `fn` with the POLYVAL back end forced, restoring automatic choice afterwards. */
function withBackend<T>(name: PolyvalBackendName, fn: () => T): T {
  setPolyvalBackend(name);
  try {
    return fn();
  } finally {
    setPolyvalBackend(undefined);
  }
}

const BACKENDS: PolyvalBackendName[] = ['wasm', 'js'];

/** GCM-SIV paths: the native AES-NI kernel (32-byte keys, no AAD; the rest falls through to wasm), or the two POLYVAL back ends without it. */
const GCM_SIV_PATHS = ['native', ...BACKENDS] as const;
function withGcmSivPath<T>(name: (typeof GCM_SIV_PATHS)[number], fn: () => T): T {
  if (name === 'native') return fn();
  setNativeDisabled(true);
  try {
    return withBackend(name, fn);
  } finally {
    setNativeDisabled(false);
  }
}

afterAll(() => {
  setPolyvalBackend(undefined);
  setBlake3PreferJs(false);
  setArgon2PreferJs(false);
  setNativeDisabled(false);
});

// -------------------------------------------------------------------------------------------------
// RFC 8452 Appendix C, typed in from the RFC text: [key, nonce, aad, plaintext, result = ct ‖ tag].
// -------------------------------------------------------------------------------------------------

type Vec = [key: string, nonce: string, aad: string, pt: string, result: string];

const K256 = '0100000000000000000000000000000000000000000000000000000000000000';
const N3 = '030000000000000000000000';
const blk = (b: string): string => b + '00'.repeat(15);

/** C.2 AEAD_AES_256_GCM_SIV (all 24 vectors). */
const C2: Vec[] = [
  [K256, N3, '', '', '07f5f4169bbf55a8400cd47ea6fd400f'],
  [K256, N3, '', '0100000000000000', 'c2ef328e5c71c83b843122130f7364b761e0b97427e3df28'],
  [K256, N3, '', '010000000000000000000000', '9aab2aeb3faa0a34aea8e2b18ca50da9ae6559e48fd10f6e5c9ca17e'],
  [K256, N3, '', blk('01'), '85a01b63025ba19b7fd3ddfc033b3e76c9eac6fa700942702e90862383c6c366'],
  [K256, N3, '', blk('01') + blk('02'),
    '4a6a9db4c8c6549201b9edb53006cba821ec9cf850948a7c86c68ac7539d027fe819e63abcd020b006a976397632eb5d'],
  [K256, N3, '', blk('01') + blk('02') + blk('03'),
    'c00d121893a9fa603f48ccc1ca3c57ce7499245ea0046db16c53c7c66fe717e39cf6c748837b61f6ee3adcee17534ed5' +
    '790bc96880a99ba804bd12c0e6a22cc4'],
  [K256, N3, '', blk('01') + blk('02') + blk('03') + blk('04'),
    'c2d5160a1f8683834910acdafc41fbb1632d4a353e8b905ec9a5499ac34f96c7e1049eb080883891a4db8caaa1f99dd0' +
    '04d80487540735234e3744512c6f90ce112864c269fc0d9d88c61fa47e39aa08'],
  [K256, N3, '01', '0200000000000000', '1de22967237a813291213f267e3b452f02d01ae33e4ec854'],
  [K256, N3, '01', '020000000000000000000000', '163d6f9cc1b346cd453a2e4cc1a4a19ae800941ccdc57cc8413c277f'],
  [K256, N3, '01', blk('02'), 'c91545823cc24f17dbb0e9e807d5ec17b292d28ff61189e8e49f3875ef91aff7'],
  [K256, N3, '01', blk('02') + blk('03'),
    '07dad364bfc2b9da89116d7bef6daaaf6f255510aa654f920ac81b94e8bad365aea1bad12702e1965604374aab96dbbc'],
  [K256, N3, '01', blk('02') + blk('03') + blk('04'),
    'c67a1f0f567a5198aa1fcc8e3f21314336f7f51ca8b1af61feac35a86416fa47fbca3b5f749cdf564527f2314f42fe25' +
    '03332742b228c647173616cfd44c54eb'],
  [K256, N3, '01', blk('02') + blk('03') + blk('04') + blk('05'),
    '67fd45e126bfb9a79930c43aad2d36967d3f0e4d217c1e551f59727870beefc98cb933a8fce9de887b1e40799988db1f' +
    'c3f91880ed405b2dd298318858467c895bde0285037c5de81e5b570a049b62a0'],
  [K256, N3, '010000000000000000000000', '02000000', '22b3f4cd1835e517741dfddccfa07fa4661b74cf'],
  [K256, N3, blk('01') + '0200', blk('03') + '04000000',
    '43dd0163cdb48f9fe3212bf61b201976067f342bb879ad976d8242acc188ab59cabfe307'],
  [K256, N3, blk('01') + '02000000', blk('03') + '0400',
    '462401724b5ce6588d5a54aae5375513a075cfcdf5042112aa29685c912fc2056543'],
  ['e66021d5eb8e4f4066d4adb9c33560e4f46e44bb3da0015c94f7088736864200', 'e0eaf5284d884a0e77d31646', '', '',
    '169fbb2fbf389a995f6390af22228a62'],
  ['bae8e37fc83441b16034566b7a806c46bb91c3c5aedb64a6c590bc84d1a5e269', 'e4b47801afc0577e34699b9e',
    '4fbdc66f14', '671fdd', '0eaccb93da9bb81333aee0c785b240d319719d'],
  ['6545fc880c94a95198874296d5cc1fd161320b6920ce07787f86743b275d1ab3', '2f6d1f0434d8848c1177441f',
    '6787f3ea22c127aaf195', '195495860f04', 'a254dad4f3f96b62b84dc40c84636a5ec12020ec8c2c'],
  ['d1894728b3fed1473c528b8426a582995929a1499e9ad8780c8d63d0ab4149c0', '9f572c614b4745914474e7c7',
    '489c8fde2be2cf97e74e932d4ed87d', 'c9882e5386fd9f92ec', '0df9e308678244c44bc0fd3dc6628dfe55ebb0b9fb2295c8c2'],
  ['a44102952ef94b02b805249bac80e6f61455bfac8308a2d40d8c845117808235', '5c9e940fea2f582950a70d5a',
    '0da55210cc1c1b0abde3b2f204d1e9f8b06bc47f', '1db2316fd568378da107b52b',
    '8dbeb9f7255bf5769dd56692404099c2587f64979f21826706d497d5'],
  ['9745b3d1ae06556fb6aa7890bebc18fe6b3db4da3d57aa94842b9803a96e07fb', '6de71860f762ebfbd08284e4',
    'f37de21c7ff901cfe8a69615a93fdf7a98cad481796245709f', '21702de0de18baa9c9596291b08466',
    '793576dfa5c0f88729a7ed3c2f1bffb3080d28f6ebb5d3648ce97bd5ba67fd'],
  ['b18853f68d833640e42a3c02c25b64869e146d7b233987bddfc240871d7576f7', '028ec6eb5ea7e298342a94d4',
    '9c2159058b1f0fe91433a5bdc20e214eab7fecef4454a10ef0657df21ac7', 'b202b370ef9768ec6561c4fe6b7e7296fa85',
    '857e16a64915a787637687db4a9519635cdd454fc2a154fea91f8363a39fec7d0a49'],
  ['3c535de192eaed3822a2fbbe2ca9dfc88255e14a661b8aa82cc54236093bbc23', '688089e55540db1872504e1c',
    '734320ccc9d9bbbb19cb81b2af4ecbc3e72834321f7aa0f70b7282b4f33df23f167541',
    'ced532ce4159b035277d4dfbb7db62968b13cd4eec',
    '626660c26ea6612fb17ad91e8e767639edd6c9faee9d6c7029675b89eaf4ba1ded1a286594'],
];

/** C.3 counter wrap tests (AEAD_AES_256_GCM_SIV): the tag's counter starts at 0xffffffff. */
const C3: Vec[] = [
  ['00'.repeat(32), '00'.repeat(12), '', '00'.repeat(16) + '4db923dc793ee6497c76dcc03a98e108',
    'f3f80f2cf0cb2dd9c5984fcda908456cc537703b5ba70324a6793a7bf218d3eaffffffff000000000000000000000000'],
  ['00'.repeat(32), '00'.repeat(12), '', 'eb3640277c7ffd1303c7a542d02d3e4c0000000000000000',
    '18ce4f0b8cb4d0cac65fea8f79257b20888e53e72299e56dffffffff000000000000000000000000'],
];

/** A few C.1 AEAD_AES_128_GCM_SIV vectors (AES-128 keys are supported as well). */
const C1: Vec[] = [
  ['01000000000000000000000000000000', N3, '', '', 'dc20e2d83f25705bb49e439eca56de25'],
  ['01000000000000000000000000000000', N3, '', '0100000000000000', 'b5d839330ac7b786578782fff6013b815b287c22493a364c'],
  ['b3fed1473c528b8426a582995929a149', '9e9ad8780c8d63d0ab4149c0', 'c9882e5386fd9f92ec489c8fde2be2cf97e74e93',
    '9f572c614b4745914474e7c7', 'f54673c5ddf710c745641c8bc1dc2f871fb7561da1286e655e24b7b0'],
  ['2d4ed87da44102952ef94b02b805249b', 'ac80e6f61455bfac8308a2d4', '2950a70d5a1db2316fd568378da107b52b0da55210cc1c1b0a',
    '0d8c8451178082355c9e940fea2f58', 'c9ff545e07b88a015f05b274540aa183b3449b9f39552de99dc214a1190b0b'],
  ['bde3b2f204d1e9f8b06bc47f9745b3d1', 'ae06556fb6aa7890bebc18fe',
    '1860f762ebfbd08284e421702de0de18baa9c9596291b08466f37de21c7f', '6b3db4da3d57aa94842b9803a96e07fb6de7',
    '6298b296e24e8cc35dce0bed484b7f30d5803e377094f04709f64d7b985310a4db84'],
  ['f901cfe8a69615a93fdf7a98cad48179', '6245709fb18853f68d833640',
    '7576f7028ec6eb5ea7e298342a94d4b202b370ef9768ec6561c4fe6b7e7296fa859c21', 'e42a3c02c25b64869e146d7b233987bddfc240871d',
    '391cc328d484a4f46406181bcd62efd9b3ee197d052d15506c84a9edd65e13e9d24a2a6e70'],
];

// -------------------------------------------------------------------------------------------------

describe('POLYVAL', () => {
  it('uses the WebAssembly SIMD kernel by default here', () => {
    expect(polyvalBackendAvailable('wasm')).toBe(true);
    expect(polyvalBackend()).toBe('wasm');
  });

  describe.each(BACKENDS)('%s back end', (backend) => {
    it('matches the RFC 8452 Appendix A worked example', () => {
      const h = hex('25629347589242761d31f826ba4b757b');
      const x = hex('4f4f95668c83dfb6401762bb2d01a262 d1a24ddd2721d006bbe45f20d3c9f362');
      expect(toHex(polyval(h, x, backend))).toBe('f7a3b47b846119fae5b7866cf5e5b77e');
    });

    it('matches the POLYVAL results listed in RFC 8452 Appendix C.2', () => {
      const h = hex('b5d3c529dfafac43136d2d11be284d7f'); // record authentication key of K256/N3
      const cases: Array<[string, string]> = [
        [blk('01') + '00000000000000004000000000000000', '05230f62f0eac8aa14fe4d646b59cd41'],
        [blk('01') + blk('02') + '08000000000000004000000000000000', '34e57bafe011b9b36fc6821b7ffb3354'],
        [blk('01') + blk('02') + '08000000000000006000000000000000', '5c47d68a22061c1ad5623a3b66a8e206'],
        [blk('01') + blk('02') + blk('03') + blk('04') + '08000000000000008001000000000000', '2566a4aff9a525df9772c16d4eaf8d2a'],
      ];
      for (const [input, want] of cases) expect(toHex(polyval(h, hex(input), backend))).toBe(want);
      // The same through the GCM-SIV helper, which builds the padding and the length block itself.
      expect(toHex(polyvalSiv(h, hex('01'), hex('020000000000000000000000'), undefined, backend))).toBe('5c47d68a22061c1ad5623a3b66a8e206');
    });

    it('equals @noble/ciphers Polyval on random keys and lengths (across the 64 KiB segments)', () => {
      for (const nblocks of [0, 1, 2, 15, 16, 17, 4095, 4096, 4097, 8192 + 3, 12345]) {
        const h = randomBytes(16);
        const data = randomBytes(nblocks * 16);
        const want = new NoblePolyval(h).update(data).digest();
        expect(toHex(polyval(h, data, backend))).toBe(toHex(want));
      }
    });

    it('handles unaligned input views, streaming updates and alternating keys', () => {
      const h1 = randomBytes(16);
      const h2 = randomBytes(16);
      const backing = randomBytes(16 * 300 + 3);
      const data = backing.subarray(3); // byteOffset not a multiple of 4
      const want1 = toHex(new NoblePolyval(h1).update(data).digest());
      const want2 = toHex(new NoblePolyval(h2).update(data).digest());
      const a = new Polyval(h1, backend);
      const b = new Polyval(h2, backend);
      let off = 0;
      for (const step of [1, 7, 16, 33, 100, 1000, 2]) {
        a.update(data.subarray(off, off + step));
        b.update(data.subarray(off, off + step));
        off += step;
      }
      a.update(data.subarray(off));
      b.update(data.subarray(off));
      expect(toHex(a.digest())).toBe(want1);
      expect(toHex(b.digest())).toBe(want2);
      expect(toHex(polyval(h1, data, backend))).toBe(want1);
      expect(() => new Polyval(h1, backend).update(new Uint8Array(5)).digest()).toThrow(RangeError);
    });
  });

  it('wasm counter blocks wrap the 32-bit little-endian counter modulo 2^32, across calls', () => {
    const k = wasmKernel();
    expect(k).not.toBeNull();
    const tpl = hex('fdffffff 0102030405060708090a0b8c');
    k!.setCounter(tpl);
    const first = Uint8Array.from(k!.counters(2));
    const next = Uint8Array.from(k!.counters(3));
    const counters = [first.subarray(0, 16), first.subarray(16), next.subarray(0, 16), next.subarray(16, 32), next.subarray(32)];
    expect(counters.map((c) => toHex(c.subarray(0, 4)))).toEqual(['fdffffff', 'feffffff', 'ffffffff', '00000000', '01000000']);
    for (const c of counters) expect(toHex(c.subarray(4))).toBe('0102030405060708090a0b8c');
  });
});

describe('AES-256-GCM-SIV', () => {
  it('has the native kernel here (built by npm install; this CPU has AES-NI and PCLMULQDQ)', () => {
    expect(native()).not.toBeNull();
  });

  describe.each(GCM_SIV_PATHS)('%s path', (path) => {
    const run = <T>(fn: () => T): T => withGcmSivPath(path, fn);

    it('reproduces every RFC 8452 C.2 vector (AEAD_AES_256_GCM_SIV, with and without AAD)', () => {
      expect(C2).toHaveLength(24);
      run(() => {
        for (const [key, nonce, aad, pt, result] of C2) {
          expect(toHex(gcmSivSeal(hex(key), hex(nonce), hex(pt), hex(aad)))).toBe(result);
          expect(toHex(gcmSivOpen(hex(key), hex(nonce), hex(result), hex(aad)))).toBe(pt);
        }
      });
    });

    it('reproduces the RFC 8452 C.3 counter-wrap vectors', () => {
      run(() => {
        for (const [key, nonce, aad, pt, result] of C3) {
          expect(toHex(gcmSivSeal(hex(key), hex(nonce), hex(pt), hex(aad)))).toBe(result);
          expect(toHex(gcmSivOpen(hex(key), hex(nonce), hex(result), hex(aad)))).toBe(pt);
        }
      });
    });

    it('reproduces RFC 8452 C.1 vectors (AES-128 keys)', () => {
      run(() => {
        for (const [key, nonce, aad, pt, result] of C1) {
          expect(toHex(gcmSivSeal(hex(key), hex(nonce), hex(pt), hex(aad)))).toBe(result);
          expect(toHex(gcmSivOpen(hex(key), hex(nonce), hex(result), hex(aad)))).toBe(pt);
        }
      });
    });

    it('is byte-identical to @noble/ciphers gcmsiv on random keys, nonces and lengths (seal and open)', () => {
      // 512 is the largest message whose keystream the AES kernel makes; longer ones use OpenSSL.
      const lengths = [0, 1, 15, 16, 17, 300, 511, 512, 513, 4096, 65535, 65536, 65537, 131072, 131072 + 5, 200000];
      for (let i = 0; i < 12; i++) lengths.push(randomInt(0, 200001));
      run(() => {
        for (const [i, len] of lengths.entries()) {
          const key = randomBytes(i % 5 === 4 ? 16 : 32);
          const nonce = randomBytes(12);
          const aad = i % 3 === 0 ? randomBytes(randomInt(0, 100)) : new Uint8Array(0);
          const pt = randomBytes(len);
          const ref = nobleGcmsiv(key, nonce, aad).encrypt(pt);
          const sealed = gcmSivSeal(key, nonce, pt, aad);
          expect(sealed.length).toBe(len + 16);
          expect(Buffer.compare(sealed, ref)).toBe(0);
          expect(Buffer.compare(gcmSivOpen(key, nonce, ref, aad), pt)).toBe(0);
          // And noble opens ours.
          expect(Buffer.compare(nobleGcmsiv(key, nonce, aad).decrypt(sealed), pt)).toBe(0);
        }
      });
    });

    it('accepts inputs at unaligned offsets', () => {
      const key = randomBytes(32);
      const nonce = randomBytes(12);
      const pt = randomBytes(70001 + 1).subarray(1);
      run(() => {
        const ref = nobleGcmsiv(key, nonce).encrypt(pt);
        expect(Buffer.compare(gcmSivSeal(key, nonce, pt), ref)).toBe(0);
        const shifted = new Uint8Array(ref.length + 3);
        shifted.set(ref, 3);
        expect(Buffer.compare(gcmSivOpen(key, nonce, shifted.subarray(3)), pt)).toBe(0);
      });
    });

    it('rejects any flipped bit in the ciphertext or the tag with an IntegrityError', () => {
      const key = randomBytes(32);
      const nonce = randomBytes(12);
      run(() => {
        for (const len of [0, 5, 16, 1000, 65536]) {
          const sealed = gcmSivSeal(key, nonce, randomBytes(len));
          const positions = [sealed.length - 1, sealed.length - 16, 0, Math.floor(sealed.length / 2)];
          for (const pos of positions) {
            for (const bit of [0, 7]) {
              const bad = Uint8Array.from(sealed);
              bad[pos]! ^= 1 << bit;
              expect(() => gcmSivOpen(key, nonce, bad)).toThrow(IntegrityError);
              expect(() => gcmSivOpen(key, nonce, bad)).toThrow(/authentication failed/);
            }
          }
          // Wrong key, wrong nonce, wrong AAD.
          expect(() => gcmSivOpen(randomBytes(32), nonce, sealed)).toThrow(IntegrityError);
          expect(() => gcmSivOpen(key, randomBytes(12), sealed)).toThrow(IntegrityError);
          expect(() => gcmSivOpen(key, nonce, sealed, new Uint8Array([1]))).toThrow(IntegrityError);
        }
      });
    });
  });

  it('rejects truncated input and malformed nonces with an IntegrityError', () => {
    const key = randomBytes(32);
    for (const len of [0, 1, 15]) {
      expect(() => gcmSivOpen(key, randomBytes(12), randomBytes(len))).toThrow(IntegrityError);
      expect(() => gcmSivOpen(key, randomBytes(12), randomBytes(len))).toThrow(/authentication failed/);
    }
    expect(() => gcmSivOpen(key, randomBytes(11), randomBytes(40))).toThrow(IntegrityError);
    expect(() => gcmSivSeal(randomBytes(31), randomBytes(12), randomBytes(4))).toThrow(RangeError);
    expect(() => gcmSivSeal(key, randomBytes(8), randomBytes(4))).toThrow(RangeError);
  });

  it('returns an exclusively owned plain Uint8Array', () => {
    const out = gcmSivSeal(randomBytes(32), randomBytes(12), randomBytes(100));
    expect(Object.getPrototypeOf(out)).toBe(Uint8Array.prototype);
    expect(out.byteOffset).toBe(0);
    expect(out.buffer.byteLength).toBe(116);
  });
});

// -------------------------------------------------------------------------------------------------

describe('AES kernel (WebAssembly)', () => {
  const block = (key: Uint8Array, blocks: Uint8Array): string => {
    const aes = aesKernel();
    aes.setKey(key);
    aes.mem.set(blocks, AES_DATA);
    aes.ecb(blocks.length / 16);
    return toHex(aes.mem.subarray(AES_DATA, AES_DATA + blocks.length));
  };
  it('FIPS 197 appendix C vectors (AES-128 and AES-256)', () => {
    const pt = hex('00112233445566778899aabbccddeeff');
    expect(block(hex('000102030405060708090a0b0c0d0e0f'), pt)).toBe('69c4e0d86a7b0430d8cdb78070b4c55a');
    expect(block(hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'), pt)).toBe('8ea2b7ca516745bfeafc49904b496089');
  });
  it('equals OpenSSL ECB on random keys and blocks', () => {
    for (let i = 0; i < 100; i++) {
      const key = randomBytes(i % 2 ? 16 : 32);
      const blocks = randomBytes(16 * (1 + (i % 40)));
      const c = createCipheriv(key.length === 16 ? 'aes-128-ecb' : 'aes-256-ecb', key, null);
      c.setAutoPadding(false);
      expect(block(key, blocks)).toBe(toHex(c.update(blocks)));
    }
  });
  it('counter mode wraps its 32-bit little-endian counter', () => {
    const aes = aesKernel();
    const key = randomBytes(32);
    const ctr = hex('feffffff' + '11'.repeat(12));
    const data = randomBytes(40);
    aes.setKey(key);
    aes.mem.set(ctr, AES_CTR);
    aes.mem.set(data, AES_DATA);
    aes.ctr(data.length);
    const got = aes.mem.slice(AES_DATA, AES_DATA + 40);
    const counters = hex('feffffff' + '11'.repeat(12) + 'ffffffff' + '11'.repeat(12) + '00000000' + '11'.repeat(12));
    const c = createCipheriv('aes-256-ecb', key, null);
    c.setAutoPadding(false);
    const ks = c.update(counters);
    expect(toHex(got)).toBe(toHex(data.map((b, i) => b ^ ks[i]!)));
  });
  it('the embedded module is the assembly of aes.wat', async () => {
    expect(Buffer.from(AES_WASM).equals(Buffer.from((await assemble('aes')) as Uint8Array))).toBe(true);
  });
});

describe('AES key wrap (RFC 3394)', () => {
  it('matches RFC 3394 section 4.6: 256 bits of key data with a 256-bit KEK', () => {
    const kek = hex('000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F');
    const key = hex('00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F');
    const wrapped = '28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21';
    expect(toHex(aesKeyWrap(kek, key))).toBe(wrapped);
    expect(toHex(aesKeyUnwrap(kek, hex(wrapped)))).toBe(toHex(key));
  });

  it('matches RFC 3394 section 4.1: 128 bits of key data with a 128-bit KEK', () => {
    const kek = hex('000102030405060708090A0B0C0D0E0F');
    const key = hex('00112233445566778899AABBCCDDEEFF');
    expect(toHex(aesKeyWrap(kek, key))).toBe('1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5');
  });

  it('equals @noble/ciphers aeskw on random keys', () => {
    for (let i = 0; i < 20; i++) {
      const kek = randomBytes(32);
      const key = randomBytes(32);
      const w = aesKeyWrap(kek, key);
      expect(toHex(w)).toBe(toHex(nobleAeskw(kek).encrypt(key)));
      expect(toHex(aesKeyUnwrap(kek, w))).toBe(toHex(key));
    }
  });

  it.each(['native', 'ecb'])('wraps many keys at once exactly as one at a time (%s path; RFC 3394 section 4.6 vector, then @noble/ciphers)', (path) => {
    if (path === 'native') expect(native()).not.toBeNull();
    setNativeDisabled(path !== 'native');
    try {
      const kek = hex('000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F');
      const key = hex('00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F');
      expect(toHex(aesKeyWrapMany(kek, key))).toBe('28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21');
      // Counts around the native kernel's groups of four, and none at all.
      for (const m of [0, 1, 3, 4, 5, 37, 256]) {
        const keys = randomBytes(32 * m);
        const kek2 = randomBytes(32);
        const wrapped = aesKeyWrapMany(kek2, keys);
        expect(wrapped.length).toBe(40 * m);
        for (let k = 0; k < m; k++) {
          const one = keys.subarray(32 * k, 32 * k + 32);
          expect(toHex(wrapped.subarray(40 * k, 40 * k + 40))).toBe(toHex(nobleAeskw(kek2).encrypt(one)));
        }
      }
      expect(() => aesKeyWrapMany(kek, randomBytes(33))).toThrow(RangeError);
    } finally {
      setNativeDisabled(false);
    }
  });

  it('fails with an IntegrityError (never an OpenSSL error) on corrupted input, a wrong KEK or a bad length', () => {
    const kek = randomBytes(32);
    const w = aesKeyWrap(kek, randomBytes(32));
    for (const pos of [0, 7, 8, 20, 39]) {
      const bad = Uint8Array.from(w);
      bad[pos]! ^= 0x10;
      expect(() => aesKeyUnwrap(kek, bad)).toThrow(IntegrityError);
    }
    expect(() => aesKeyUnwrap(randomBytes(32), w)).toThrow(IntegrityError);
    for (const len of [0, 8, 16, 23, 39, 41]) {
      expect(() => aesKeyUnwrap(kek, randomBytes(len))).toThrow(IntegrityError);
    }
    expect(() => aesKeyWrap(kek, randomBytes(12))).toThrow(RangeError);
    expect(() => aesKeyWrap(randomBytes(20), randomBytes(32))).toThrow(RangeError);
  });
});

// -------------------------------------------------------------------------------------------------

interface Blake3Vectors {
  key: string;
  cases: Array<{ input_len: number; hash: string; keyed_hash: string }>;
}

const blake3Vectors = JSON.parse(
  readFileSync(new URL('../fixtures/vectors/blake3-keyed.json', import.meta.url), 'utf8'),
) as Blake3Vectors;

function blake3Input(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = i % 251;
  return b;
}

describe('BLAKE3 and SHA-256 hashers', () => {
  it('loads the native BLAKE3', () => {
    expect(blake3Backend()).toBe('native');
  });

  describe.each([false, true])('BLAKE3 (pure JS forced: %s)', (js) => {
    const run = <T>(fn: () => T): T => {
      setBlake3PreferJs(js);
      try {
        return fn();
      } finally {
        setBlake3PreferJs(false);
      }
    };

    it('matches the official keyed_hash and hash test vectors', () => {
      const key = new TextEncoder().encode(blake3Vectors.key);
      expect(key.length).toBe(32);
      expect(blake3Vectors.cases.map((c) => c.input_len)).toEqual([0, 1, 1023, 1024, 1025, 2048, 31744, 102400]);
      run(() => {
        for (const c of blake3Vectors.cases) {
          const input = blake3Input(c.input_len);
          const k = blake3Keyed(key);
          k.update(input);
          expect(toHex(k.digest())).toBe(c.keyed_hash);
          // The one-shot MAC: the addon's one-chunk kernel up to 1024 bytes, the library beyond.
          expect(toHex(blake3KeyedOneShot(key)(input))).toBe(c.keyed_hash);
          const h = blake3();
          h.update(input);
          expect(toHex(h.digest())).toBe(c.hash);
        }
      });
    });

    it('gives the same digest for any split of the input', () => {
      const key = randomBytes(32);
      const data = randomBytes(100_000);
      run(() => {
        const one = blake3Keyed(key);
        one.update(data);
        const want = toHex(one.digest());
        const parts = blake3Keyed(key);
        let off = 0;
        for (const step of [0, 1, 63, 64, 65, 1024, 4095, 30000]) {
          parts.update(data.subarray(off, off + step));
          off += step;
        }
        parts.update(data.subarray(off));
        expect(toHex(parts.digest())).toBe(want);
      });
    });
  });

  it('one-chunk keyed BLAKE3 of the native addon equals @noble/hashes for every length up to 1024, and the MAC function takes the SIMD library beyond', () => {
    const key = randomBytes(32);
    const mac = blake3KeyedOneShot(key);
    const out = new Uint8Array(32);
    for (let n = 0; n <= 1100; n++) {
      const d = randomBytes(n);
      const ref = nobleBlake3(d, { key });
      if (n <= 1024) {
        native()!.blake3KeyedSmall(key, d, out);
        expect(toHex(out), `length ${n}`).toBe(toHex(ref));
      }
      expect(toHex(mac(d)), `length ${n}`).toBe(toHex(ref));
    }
    expect(() => native()!.blake3KeyedSmall(key, new Uint8Array(1025), out)).toThrow(RangeError);
  });

  it('native BLAKE3 equals @noble/hashes blake3 on random data', () => {
    for (const len of [0, 1, 64, 1024, 1025, 65536, 200_001]) {
      const key = randomBytes(32);
      const data = randomBytes(len + 1).subarray(1); // unaligned view
      const k = blake3Keyed(key);
      k.update(data);
      expect(toHex(k.digest())).toBe(toHex(nobleBlake3(data, { key })));
      const h = blake3();
      h.update(data);
      expect(toHex(h.digest())).toBe(toHex(nobleBlake3(data)));
    }
  });

  it('rejects a BLAKE3 key that is not 32 bytes', () => {
    expect(() => blake3Keyed(new Uint8Array(16))).toThrow(RangeError);
  });

  it('computes SHA-256 and HMAC-SHA256 (FIPS 180 "abc", RFC 4231 test case 2)', () => {
    const s = sha256();
    s.update(new TextEncoder().encode('abc'));
    expect(toHex(s.digest())).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const m = hmacSha256(new TextEncoder().encode('Jefe'));
    m.update(new TextEncoder().encode('what do ya want '));
    m.update(new TextEncoder().encode('for nothing?'));
    expect(toHex(m.digest())).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });
});

// -------------------------------------------------------------------------------------------------

describe('Argon2id', () => {
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

  it('uses the native @node-rs/argon2', () => {
    expect(argon2Backend()).toBe('native');
  });

  // RFC 9106 section 5.3 needs a secret and associated data, which @node-rs/argon2 does not expose
  // (it has no associated-data option). So the RFC vector validates the reference implementation,
  // @noble/hashes argon2id, and the native one is checked against that reference and against the
  // published known answers of the reference C implementation (P-H-C/phc-winner-argon2, src/test.c:
  // Argon2id v=0x13, password "password", salt "somesalt", 32-byte output, no secret or AD).
  it('reference: @noble/hashes argon2id reproduces the RFC 9106 section 5.3 vector', () => {
    const tag = nobleArgon2id(new Uint8Array(32).fill(1), new Uint8Array(16).fill(2), {
      t: 3, m: 32, p: 4, dkLen: 32, version: 0x13,
      key: new Uint8Array(8).fill(3), personalization: new Uint8Array(12).fill(4),
    });
    expect(toHex(tag)).toBe('0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659');
  });

  it('matches the phc-winner-argon2 known answers for plain Argon2id', async () => {
    const kat: Array<[Argon2Params, string]> = [
      [{ time: 2, memoryKiB: 256, threads: 1, keyLen: 32 }, '9dfeb910e80bad0311fee20f9c0e2b12c17987b4cac90c2ef54d5b3021c68bfe'],
      [{ time: 2, memoryKiB: 256, threads: 2, keyLen: 32 }, '6d093c501fd5999645e0ea3bf620d7b8be7fd2db59c20d9fff9539da2bf57037'],
      [{ time: 2, memoryKiB: 65536, threads: 1, keyLen: 32 }, '09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7'],
    ];
    for (const [p, want] of kat) expect(toHex(await argon2id(enc('password'), enc('somesalt'), p))).toBe(want);
  });

  it('equals the @noble/hashes reference on several parameter sets', async () => {
    const sets: Argon2Params[] = [
      { time: 1, memoryKiB: 8, threads: 1, keyLen: 32 },
      { time: 2, memoryKiB: 64, threads: 2, keyLen: 16 },
      { time: 3, memoryKiB: 256, threads: 4, keyLen: 64 },
      { time: 1, memoryKiB: 1024, threads: 1, keyLen: 32 },
    ];
    for (const p of sets) {
      const password = randomBytes(randomInt(0, 40));
      const salt = randomBytes(16);
      const want = nobleArgon2id(password, salt, { t: p.time, m: p.memoryKiB, p: p.threads, dkLen: p.keyLen });
      expect(toHex(await argon2id(password, salt, p))).toBe(toHex(want));
    }
  });

  it('the pure-JS fallback gives the same answers', async () => {
    setArgon2PreferJs(true);
    try {
      expect(argon2Backend()).toBe('js');
      const p = { time: 2, memoryKiB: 256, threads: 1, keyLen: 32 };
      expect(toHex(await argon2id(enc('password'), enc('somesalt'), p))).toBe('9dfeb910e80bad0311fee20f9c0e2b12c17987b4cac90c2ef54d5b3021c68bfe');
    } finally {
      setArgon2PreferJs(false);
    }
  });

  it('rejects absurd or malformed parameters before allocating anything', async () => {
    const salt = randomBytes(16);
    const ok: Argon2Params = { time: 1, memoryKiB: 64, threads: 1, keyLen: 32 };
    const unsupported: Array<Partial<Argon2Params>> = [
      { memoryKiB: 4 * 1024 * 1024 + 1 },
      { memoryKiB: 2 ** 40 },
      { time: 1001 },
      { keyLen: 15 },
      { keyLen: 65 },
      { threads: 256, memoryKiB: 8 * 256 },
    ];
    for (const bad of unsupported) {
      await expect(argon2id(enc('pw'), salt, { ...ok, ...bad })).rejects.toBeInstanceOf(UnsupportedError);
    }
    const malformed: Array<Partial<Argon2Params>> = [
      { time: 0 },
      { threads: 0 },
      { memoryKiB: 7 },
      { memoryKiB: 16, threads: 4 },
      { time: Number.NaN },
      { memoryKiB: 1.5 },
      { keyLen: -1 as number, time: Infinity },
    ];
    for (const bad of malformed) {
      await expect(argon2id(enc('pw'), salt, { ...ok, ...bad })).rejects.toBeInstanceOf(IntegrityError);
    }
    await expect(argon2id(enc('pw'), randomBytes(4), ok)).rejects.toBeInstanceOf(IntegrityError);
  });
});

describe('Kloset encrypted stream', () => {
  const cfg = { subKeyAlgorithm: 'AES256-KW', dataAlgorithm: 'AES256-GCM-SIV', chunkSize: 65536 } as EncryptionConfig;
  const master = randomBytes(32);

  it('native sealing opens on the WebAssembly path and the reverse, across 64 KiB pieces', () => {
    for (const len of [0, 1, 511, 65535, 65536, 65537, 3 * 65536 + 7]) {
      const plain = randomBytes(len);
      const sealed = encryptStream(cfg, master, plain);
      expect(sealed.length).toBe(encryptedLength(cfg, len));
      const wasmSealed = withGcmSivPath('wasm', () => encryptStream(cfg, master, plain));
      expect(Buffer.compare(withGcmSivPath('wasm', () => decryptStream(cfg, master, sealed, 'x')), plain)).toBe(0);
      expect(Buffer.compare(decryptStream(cfg, master, wasmSealed, 'x'), plain)).toBe(0);
    }
  });

  it('the native kernel refuses outputs that do not fit and nonces that do not match the pieces', () => {
    const n = native()!;
    const key = randomBytes(32);
    expect(() => n.seal(key, randomBytes(12), randomBytes(100), new Uint8Array(115), 0)).toThrow(RangeError);
    expect(() => n.seal(key, randomBytes(12), randomBytes(100), new Uint8Array(200), 90)).toThrow(RangeError);
    expect(() => n.seal(key.subarray(1), randomBytes(12), randomBytes(1), new Uint8Array(17), 0)).toThrow(RangeError);
    expect(() => n.sealStream(key, randomBytes(12), randomBytes(65537), 65536, new Uint8Array(70000), 0)).toThrow(RangeError);
    expect(() => n.sealStream(key, randomBytes(24), randomBytes(65537), 65536, new Uint8Array(65537 + 55), 0)).toThrow(RangeError);
    expect(() => n.open(key, randomBytes(12), randomBytes(15), new Uint8Array(0))).toThrow(RangeError);
  });

  it.runIf(process.platform === 'linux')('tuneMemory() turns transparent huge pages off for the process (the Argon2id buffer then faults in small pages)', () => {
    const thp = (): string => /THP_enabled:\s*(\d)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '?';
    tuneMemory();
    expect(thp()).toBe('0');
  });
});
