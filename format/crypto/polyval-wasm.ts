/**
 * The WebAssembly (SIMD) kernel of POLYVAL, assembled at module load by a tiny in-repo encoder so
 * the package needs no build step, no generated blob and no extra dependency.
 *
 * Field: GF(2^128) in POLYVAL's little-endian convention (bit i of the 16-byte block read as a
 * little-endian integer is the coefficient of x^i), modulus P = x^128 + x^127 + x^126 + x^121 + 1,
 * dot(a, b) = a·b·x^-128 mod P, and POLYVAL(H, X_1..X_n) = S_n with S_i = dot(S_{i-1} ⊕ X_i, H).
 *
 * Because dot(·, H) is GF(2)-linear, S·H·x^-128 = ⊕_j T_j[s_j] where s_j is byte j of S and
 * T_j[b] = dot(H, b·x^(8j)). The 16 per-position tables (16 × 256 × 16 bytes = one 64 KiB wasm page)
 * are built per key from the 128 values dot(H, x^i) = H·x^(i-128) (H multiplied by x^-1 repeatedly)
 * with one 128-bit XOR per entry (T_j[2^k + m] = T_j[2^k] ⊕ T_j[m]); after that a block costs 16
 * table loads and XORs, with no shift and no reduction. The key changes per 64 KiB GCM-SIV chunk
 * (4096 blocks); the 4096-entry precompute takes ~1.5 µs, about 3% of hashing the chunk.
 *
 * Memory layout (5 pages):
 *   [0, 65536)           tables, T_j at j·4096, entry b at +16·b
 *   KEY  65536           H, written by the caller before init()
 *   ACC  65552           the running S, read and written by update()
 *   PAD  65568           scratch for a zero-padded final block
 *   TPL  65584           counter-block template for ctr(): counter (LE u32) ‖ 12 fixed bytes
 *   DATA [131072, +SEG)  data to absorb / to XOR with the keystream
 *   KS   [196608, +SEG)  keystream (AES output copied in)
 *   CTR  [262144, +SEG)  counter blocks written by ctr(), handed to AES as a view
 *
 * Exports: memory; init() builds the tables from KEY; update(ptr, nblocks) absorbs whole blocks at
 * ptr into ACC; xor(dst, a, b, n16) sets dst = a ⊕ b over n16 16-byte blocks (may alias);
 * ctr(dst, nblocks) writes nblocks counter blocks from TPL, incrementing TPL's counter mod 2^32.
 *
 * Equivalent WAT of the hot loop of update():
 *   (loop $blk
 *     (local.set $acc (v128.xor (local.get $acc) (v128.load (local.get $p))))
 *     (local.set $w0 (i32x4.extract_lane 0 (local.get $acc)))   ;; likewise $w1..$w3
 *     ;; byte k of lane w selects T_(4·lane+k); its index·16 is (w << 4) & 0xff0 or (w >>> (8k-4)) & 0xff0
 *     (local.set $acc
 *       (v128.xor                                               ;; a balanced tree of 15 XORs
 *         (v128.xor (v128.load offset=0    (i32.and (i32.shl   (local.get $w0) (i32.const 4)) (i32.const 0xff0)))
 *                   (v128.load offset=4096 (i32.and (i32.shr_u (local.get $w0) (i32.const 4)) (i32.const 0xff0))))
 *         ...))                                                 ;; 16 loads in all, offsets j·4096
 *     (local.set $p (i32.add (local.get $p) (i32.const 16)))
 *     (br_if $blk (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
 *
 * Its bytes are validated (WebAssembly.validate) before use, and polyval.ts falls back to a pure
 * TypeScript implementation of the same tables if WebAssembly SIMD is missing.
 */

export const KEY_OFF = 65536;
export const ACC_OFF = 65552;
export const PAD_OFF = 65568;
export const TPL_OFF = 65584;
/** Size of each of the DATA, KS and CTR regions. */
export const SEG = 65536;
export const DATA_OFF = 2 * 65536;
export const KS_OFF = 3 * 65536;
export const CTR_OFF = 4 * 65536;
export const PAGES = 5;

// ---- a minimal WebAssembly binary encoder ---------------------------------------------------

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const b = Number(n & 0x7fn);
    n >>= 7n;
    if ((n === 0n && (b & 0x40) === 0) || (n === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const I32 = 0x7f;
const I64 = 0x7e;
const V128 = 0x7b;
const VOID = 0x40;

/** Instruction helpers: each returns the encoded bytes. */
const op = {
  loop: () => [0x03, VOID],
  if_: () => [0x04, VOID],
  else_: () => [0x05],
  end: () => [0x0b],
  brIf: (d: number) => [0x0d, ...uleb(d)],
  ret: () => [0x0f],
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (v: number) => [0x41, ...sleb(BigInt(v | 0))],
  i64: (v: bigint) => [0x42, ...sleb(BigInt.asIntN(64, v))],
  i64Load: (off = 0) => [0x29, 3, ...uleb(off)],
  i64Store: (off = 0) => [0x37, 3, ...uleb(off)],
  i32Eqz: () => [0x45],
  i32LtU: () => [0x49],
  i32GeS: () => [0x4e],
  i32Add: () => [0x6a],
  i32Sub: () => [0x6b],
  i32And: () => [0x71],
  i32Shl: () => [0x74],
  i32ShrU: () => [0x76],
  i64Sub: () => [0x7d],
  i64And: () => [0x83],
  i64Or: () => [0x84],
  i64Xor: () => [0x85],
  i64Shl: () => [0x86],
  i64ShrU: () => [0x88],
  v128Load: (off = 0) => [0xfd, ...uleb(0x00), 4, ...uleb(off)],
  v128Store: (off = 0) => [0xfd, ...uleb(0x0b), 4, ...uleb(off)],
  v128Zero: () => [0xfd, ...uleb(0x0c), ...new Array<number>(16).fill(0)],
  i32x4Extract: (lane: number) => [0xfd, ...uleb(0x1b), lane],
  i32x4Replace: (lane: number) => [0xfd, ...uleb(0x1c), lane],
  i32Load: (off = 0) => [0x28, 2, ...uleb(off)],
  i32Store: (off = 0) => [0x36, 2, ...uleb(off)],
  v128Xor: () => [0xfd, ...uleb(0x51)],
};

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function funcBody(locals: Array<[number, number]>, code: number[][]): number[] {
  const body = [...vec(locals.map(([n, t]) => [...uleb(n), t])), ...code.flat(), 0x0b];
  return [...uleb(body.length), ...body];
}

function name(s: string): number[] {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
}

// ---- the functions ----------------------------------------------------------------------------

/** init(): tables from the key at KEY_OFF. */
function initFn(): number[] {
  // locals: 0 lo, 1 hi (i64); 2 i, 3 idx, 4 tj, 5 sz, 6 src, 7 dst, (i32) 8 end; 9 base (v128)
  const lo = 0, hi = 1, i = 2, idx = 3, tj = 4, sz = 5, src = 6, dst = 7, end = 8, base = 9;
  const code: number[][] = [
    op.i32(KEY_OFF), op.i64Load(0), op.set(lo),
    op.i32(KEY_OFF), op.i64Load(8), op.set(hi),
    op.i32(127), op.set(i),
    // Phase 1: T_{i>>3}[1 << (i&7)] = H·x^(i-128), for i = 127 down to 0 (one x^-1 step each).
    op.loop(),
    //   hi' = (hi >> 1) ^ (-(lo & 1) & 0xE100000000000000);  lo' = (lo >> 1) | (hi << 63)
    op.i64(0n), op.get(lo), op.i64(1n), op.i64And(), op.i64Sub(),
    op.i64(0xe100000000000000n), op.i64And(),
    op.get(hi), op.i64(1n), op.i64ShrU(), op.i64Xor(),
    op.get(lo), op.i64(1n), op.i64ShrU(), op.get(hi), op.i64(63n), op.i64Shl(), op.i64Or(), op.set(lo),
    op.set(hi),
    //   addr = (i >> 3) << 12 | (1 << (i & 7)) << 4
    op.get(i), op.i32(3), op.i32ShrU(), op.i32(12), op.i32Shl(),
    op.i32(16), op.get(i), op.i32(7), op.i32And(), op.i32Shl(), op.i32Add(),
    op.tee(idx), op.get(lo), op.i64Store(0),
    op.get(idx), op.get(hi), op.i64Store(8),
    op.get(i), op.i32(1), op.i32Sub(), op.tee(i), op.i32(0), op.i32GeS(), op.brIf(0),
    op.end(),
    // Phase 2, for each table j: T_j[0] = 0 and T_j[2^k + m] = T_j[2^k] ^ T_j[m] for 0 < m < 2^k.
    op.i32(0), op.set(tj),
    op.loop(),
    op.get(tj), op.v128Zero(), op.v128Store(0),
    op.i32(32), op.set(sz), //   sz = 16·2^k, from k = 1 (k = 0 has no m)
    op.loop(),
    op.get(tj), op.get(sz), op.i32Add(), op.v128Load(0), op.set(base),
    op.get(tj), op.i32(16), op.i32Add(), op.set(src),
    op.get(tj), op.get(sz), op.i32Add(), op.i32(16), op.i32Add(), op.set(dst),
    op.get(tj), op.get(sz), op.i32(1), op.i32Shl(), op.i32Add(), op.set(end),
    op.loop(),
    op.get(dst), op.get(base), op.get(src), op.v128Load(0), op.v128Xor(), op.v128Store(0),
    op.get(src), op.i32(16), op.i32Add(), op.set(src),
    op.get(dst), op.i32(16), op.i32Add(), op.tee(dst), op.get(end), op.i32LtU(), op.brIf(0),
    op.end(),
    op.get(sz), op.i32(1), op.i32Shl(), op.tee(sz), op.i32(4096), op.i32LtU(), op.brIf(0),
    op.end(),
    op.get(tj), op.i32(4096), op.i32Add(), op.tee(tj), op.i32(65536), op.i32LtU(), op.brIf(0),
    op.end(),
  ];
  return funcBody([[2, I64], [7, I32], [1, V128]], code);
}

/** update(ptr, nblocks): ACC = POLYVAL over the blocks, continuing from ACC. */
function updateFn(): number[] {
  // params: 0 ptr, 1 n; locals: 2 acc v128, 3 t v128, 4..7 w0..w3 i32
  const p = 0, n = 1, acc = 2, t = 3, w0 = 4, w1 = 5, w2 = 6, w3 = 7;
  const code: number[][] = [
    op.get(n), op.i32Eqz(), op.if_(), op.ret(), op.end(),
    op.i32(ACC_OFF), op.v128Load(0), op.set(acc),
    op.loop(),
    op.get(acc), op.get(p), op.v128Load(0), op.v128Xor(), op.set(acc),
  ];
  // Byte indices (times 16) from the four 32-bit lanes, then the 16 loads combined by a balanced
  // XOR tree (depth 4 instead of a 16-long dependency chain: the loop is latency-bound).
  const lanes = [w0, w1, w2, w3];
  for (let lane = 0; lane < 4; lane++) code.push(op.get(acc), op.i32x4Extract(lane), op.set(lanes[lane]!));
  const leaf = (j: number): number[][] => {
    const w = lanes[j >> 2]!;
    const k = j & 3;
    // index·16 of byte k of w: (w << 4) & 0xff0 or (w >>> (8k - 4)) & 0xff0
    const idx = k === 0 ? [op.get(w), op.i32(4), op.i32Shl()] : [op.get(w), op.i32(8 * k - 4), op.i32ShrU()];
    return [...idx, op.i32(0xff0), op.i32And(), op.v128Load(j * 4096)];
  };
  const tree = (lo: number, hi: number): number[][] =>
    hi - lo === 1 ? leaf(lo) : [...tree(lo, (lo + hi) >> 1), ...tree((lo + hi) >> 1, hi), op.v128Xor()];
  code.push(...tree(0, 16), op.set(t));
  code.push(
    op.get(t), op.set(acc),
    op.get(p), op.i32(16), op.i32Add(), op.set(p),
    op.get(n), op.i32(1), op.i32Sub(), op.tee(n), op.brIf(0),
    op.end(),
    op.i32(ACC_OFF), op.get(acc), op.v128Store(0),
  );
  return funcBody([[2, V128], [4, I32]], code);
}

/** xor(dst, a, b, n16): dst[i] = a[i] ^ b[i] over n16 blocks of 16 bytes. */
function xorFn(): number[] {
  const dst = 0, a = 1, b = 2, n = 3;
  const code: number[][] = [
    op.get(n), op.i32Eqz(), op.if_(), op.ret(), op.end(),
    op.loop(),
    op.get(dst), op.get(a), op.v128Load(0), op.get(b), op.v128Load(0), op.v128Xor(), op.v128Store(0),
    op.get(dst), op.i32(16), op.i32Add(), op.set(dst),
    op.get(a), op.i32(16), op.i32Add(), op.set(a),
    op.get(b), op.i32(16), op.i32Add(), op.set(b),
    op.get(n), op.i32(1), op.i32Sub(), op.tee(n), op.brIf(0),
    op.end(),
  ];
  return funcBody([], code);
}

/** ctr(dst, n): n counter blocks from the template at TPL_OFF; TPL's counter advances by n. */
function ctrFn(): number[] {
  const dst = 0, n = 1, tpl = 2, c = 3;
  const code: number[][] = [
    op.get(n), op.i32Eqz(), op.if_(), op.ret(), op.end(),
    op.i32(TPL_OFF), op.v128Load(0), op.set(tpl),
    op.i32(TPL_OFF), op.i32Load(0), op.set(c),
    op.loop(),
    op.get(dst), op.get(tpl), op.get(c), op.i32x4Replace(0), op.v128Store(0),
    op.get(c), op.i32(1), op.i32Add(), op.set(c),
    op.get(dst), op.i32(16), op.i32Add(), op.set(dst),
    op.get(n), op.i32(1), op.i32Sub(), op.tee(n), op.brIf(0),
    op.end(),
    op.i32(TPL_OFF), op.get(c), op.i32Store(0),
  ];
  return funcBody([[1, V128], [1, I32]], code);
}

/** The module's bytes. */
export function polyvalWasmBytes(): Uint8Array<ArrayBuffer> {
  const types = vec([
    [0x60, ...vec([]), ...vec([])], // 0: () -> ()
    [0x60, ...vec([[I32], [I32]]), ...vec([])], // 1: (i32, i32) -> ()
    [0x60, ...vec([[I32], [I32], [I32], [I32]]), ...vec([])], // 2: (i32 x4) -> ()
  ]);
  const funcs = vec([uleb(0), uleb(1), uleb(2), uleb(1)]);
  const memory = vec([[0x00, ...uleb(PAGES)]]); // min PAGES, no max
  const exports = vec([
    [...name('memory'), 0x02, 0],
    [...name('init'), 0x00, 0],
    [...name('update'), 0x00, 1],
    [...name('xor'), 0x00, 2],
    [...name('ctr'), 0x00, 3],
  ]);
  const code = vec([initFn(), updateFn(), xorFn(), ctrFn()]);
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, types),
    ...section(3, funcs),
    ...section(5, memory),
    ...section(7, exports),
    ...section(10, code),
  ]);
}
