const WORDS = 8; // a MAC is 32 bytes: eight 32-bit words
const INITIAL_SLOTS = 256;
/** Grow when more than 7/10 of the slots are used. */
const LOAD_NUM = 7;
const LOAD_DEN = 10;

/**
 * A set of 32-byte MACs: open addressing with linear probing over one Uint32Array of 8-word
 * slots (32 bytes per slot, ≈ 46-91 bytes per entry between doublings at 0.7 load; no
 * per-entry objects). An all-zero slot marks "empty", so the all-zero MAC, a legitimate
 * value, is tracked by a flag instead. The slot comes from a cheap mix of the MAC's words.
 */
export class MacSet {
  private slots: Uint32Array;
  private mask: number;
  private used = 0;
  private zero = false;
  private limit: number;
  /** The MAC being looked up, as words (reused: no allocation per call). */
  private readonly w = new Uint32Array(WORDS);

  constructor(expected = 0) {
    let n = INITIAL_SLOTS;
    while (n * LOAD_NUM < expected * LOAD_DEN) n *= 2;
    this.slots = new Uint32Array(n * WORDS);
    this.mask = n - 1;
    this.limit = Math.floor((n * LOAD_NUM) / LOAD_DEN);
  }

  get size(): number {
    return this.used + (this.zero ? 1 : 0);
  }

  /** Adds a MAC; true if it was not in the set. */
  add(mac: Uint8Array): boolean {
    if (!this.load(mac)) {
      if (this.zero) return false;
      this.zero = true;
      return true;
    }
    const b = this.probe();
    if (!empty(this.slots, b)) return false;
    for (let k = 0; k < WORDS; k++) this.slots[b + k] = this.w[k]!;
    if (++this.used > this.limit) this.grow();
    return true;
  }

  has(mac: Uint8Array): boolean {
    if (!this.load(mac)) return this.zero;
    return !empty(this.slots, this.probe());
  }

  /** The slot holding the loaded (non-zero) MAC, or the empty slot where it would go. */
  private probe(): number {
    const w = this.w;
    const slots = this.slots;
    const mask = this.mask;
    for (let i = hash(w) & mask; ; i = (i + 1) & mask) {
      const b = i * WORDS;
      const s0 = slots[b]!;
      if (s0 === w[0] && match(slots, b, w)) return b;
      if (s0 === 0 && empty(slots, b)) return b;
    }
  }

  /** Loads the MAC into `w`; false if it is all zeros. */
  private load(mac: Uint8Array): boolean {
    if (mac.length !== 32) throw new RangeError(`MacSet: MAC of ${mac.length} bytes, want 32`);
    const w = this.w;
    let any = 0;
    for (let k = 0, o = 0; k < WORDS; k++, o += 4) {
      const v = (mac[o]! | (mac[o + 1]! << 8) | (mac[o + 2]! << 16) | (mac[o + 3]! << 24)) >>> 0;
      w[k] = v;
      any |= v;
    }
    return any !== 0;
  }

  private grow(): void {
    const old = this.slots;
    const n = (this.mask + 1) * 2;
    const slots = new Uint32Array(n * WORDS);
    const mask = n - 1;
    for (let b = 0; b < old.length; b += WORDS) {
      if (old[b] === 0 && empty(old, b)) continue;
      let i = hashAt(old, b) & mask;
      while (!(slots[i * WORDS] === 0 && empty(slots, i * WORDS))) i = (i + 1) & mask;
      const d = i * WORDS;
      for (let k = 0; k < WORDS; k++) slots[d + k] = old[b + k]!;
    }
    this.slots = slots;
    this.mask = mask;
    this.limit = Math.floor((n * LOAD_NUM) / LOAD_DEN);
  }
}

function mix(a: number, b: number): number {
  let h = (a ^ Math.imul(b, 0x9e3779b1)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

// All eight words take part: random MACs need only one, but structured inputs (tests, or
// values differing only in their last bytes) would otherwise pile up in one cluster.
function hash(w: Uint32Array): number {
  return mix(w[0]! ^ w[2]! ^ w[4]! ^ w[6]!, w[1]! ^ w[3]! ^ w[5]! ^ w[7]!);
}

function hashAt(s: Uint32Array, b: number): number {
  return mix(s[b]! ^ s[b + 2]! ^ s[b + 4]! ^ s[b + 6]!, s[b + 1]! ^ s[b + 3]! ^ s[b + 5]! ^ s[b + 7]!);
}

function match(s: Uint32Array, b: number, w: Uint32Array): boolean {
  return (
    s[b + 1] === w[1] && s[b + 2] === w[2] && s[b + 3] === w[3] && s[b + 4] === w[4] && s[b + 5] === w[5] && s[b + 6] === w[6] && s[b + 7] === w[7]
  );
}

function empty(s: Uint32Array, b: number): boolean {
  return (s[b]! | s[b + 1]! | s[b + 2]! | s[b + 3]! | s[b + 4]! | s[b + 5]! | s[b + 6]! | s[b + 7]!) === 0;
}

/** Blobs already written, by resource type and MAC: what a writer deduplicates against. */
export class BlobSet {
  private readonly byType = new Map<number, MacSet>();

  has(type: number, mac: Uint8Array): boolean {
    return this.byType.get(type)?.has(mac) ?? false;
  }

  /** True if the blob was not there yet. */
  add(type: number, mac: Uint8Array): boolean {
    let set = this.byType.get(type);
    if (!set) this.byType.set(type, (set = new MacSet()));
    return set.add(mac);
  }
}
