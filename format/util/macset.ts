import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

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

  /** The slot table as it is, for spilling (SpilledTable probes it on disk the same way). */
  table(): { slots: Uint32Array; mask: number; zero: boolean } {
    return { slots: this.slots, mask: this.mask, zero: this.zero };
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
    return loadWords(mac, this.w);
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

/** Bloom filter bits per MAC of a spilled table, and probes: about one false "maybe" in 1,000. */
const BLOOM_BITS_PER_ENTRY = 16;
const BLOOM_PROBES = 6;
/** Slots read at once when probing a spilled table: a probe sequence rarely runs longer. */
const PROBE_SLOTS = 32;
const probeBuf = new Uint32Array(PROBE_SLOTS * WORDS);
const probeBytes = new Uint8Array(probeBuf.buffer);
const lookup = new Uint32Array(WORDS);

/**
 * A MacSet's slot table written to a file as it is, probed there with the same hash; a Bloom
 * filter of its MACs in memory answers most lookups of MACs it does not hold without reading.
 */
class SpilledTable {
  private readonly bloom: Uint32Array;
  private readonly bloomMask: number;

  constructor(private readonly fd: number, private readonly at: number, private readonly mask: number, slots: Uint32Array, used: number) {
    let bits = 1 << 10;
    while (bits < used * BLOOM_BITS_PER_ENTRY) bits *= 2;
    this.bloom = new Uint32Array(bits / 32);
    this.bloomMask = bits - 1;
    for (let b = 0; b < slots.length; b += WORDS) {
      if (slots[b] === 0 && empty(slots, b)) continue;
      this.bloomProbe(slots, b, true);
    }
  }

  /** Tests the MAC's filter bits (setting them when `set`); double hashing from two mixes of its words. */
  private bloomProbe(w: Uint32Array, b: number, set: boolean): boolean {
    const h1 = hashAt(w, b);
    const h2 = mix(w[b + 1]! ^ w[b + 3]! ^ w[b + 5]! ^ w[b + 7]! ^ 0x5bd1e995, w[b]! ^ w[b + 2]! ^ w[b + 4]! ^ w[b + 6]!) | 1;
    for (let k = 0; k < BLOOM_PROBES; k++) {
      const bit = (h1 + Math.imul(k, h2)) & this.bloomMask;
      const m = 1 << (bit & 31);
      if (set) this.bloom[bit >>> 5]! |= m;
      else if ((this.bloom[bit >>> 5]! & m) === 0) return false;
    }
    return true;
  }

  /** Whether the table holds the (non-zero) MAC in `w`. */
  has(w: Uint32Array): boolean {
    if (!this.bloomProbe(w, 0, false)) return false;
    for (let i = hash(w) & this.mask; ; ) {
      const n = Math.min(PROBE_SLOTS, this.mask + 1 - i);
      const bytes = n * WORDS * 4;
      for (let got = 0; got < bytes; ) {
        const r = readSync(this.fd, probeBytes, got, bytes - got, this.at + i * WORDS * 4 + got);
        if (r === 0) throw new Error('deduplication set: spill file truncated');
        got += r;
      }
      for (let b = 0; b < n * WORDS; b += WORDS) {
        if (probeBuf[b] === w[0] && match(probeBuf, b, w)) return true;
        if (probeBuf[b] === 0 && empty(probeBuf, b)) return false;
      }
      i = (i + n) & this.mask;
    }
  }
}

/** One type's MACs: the newest in memory, the rest in spilled tables. */
interface TypeSet {
  recent: MacSet;
  spilled: SpilledTable[];
}

/** MACs a BlobSet keeps in memory per type before spilling them (an 8 MiB table). */
const SPILL_ENTRIES = Math.floor((1 << 18) * (LOAD_NUM / LOAD_DEN));

/**
 * Blobs already written, by resource type and MAC: what a writer deduplicates against. Given a
 * directory, each type's set is written there once it holds `spillEntries` MACs, and looked up
 * on disk behind a Bloom filter (2 bytes per MAC in memory instead of ~64): memory stays flat
 * however many blobs a backup stores. The spill file is removed by close().
 */
export class BlobSet {
  private readonly byType = new Map<number, TypeSet>();
  private file: { fd: number; path: string; size: number } | null = null;
  private closed = false;

  constructor(private readonly spillDir?: string, private readonly spillEntries = SPILL_ENTRIES) {}

  has(type: number, mac: Uint8Array): boolean {
    const set = this.byType.get(type);
    if (!set) return false;
    if (set.recent.has(mac)) return true;
    if (set.spilled.length === 0) return false;
    if (!loadWords(mac, lookup)) return false; // the zero MAC stays in memory
    return set.spilled.some((t) => t.has(lookup));
  }

  /** True if the blob was not there yet. */
  add(type: number, mac: Uint8Array): boolean {
    let set = this.byType.get(type);
    if (!set) this.byType.set(type, (set = { recent: new MacSet(), spilled: [] }));
    if (set.spilled.length > 0 && this.has(type, mac)) return false;
    if (!set.recent.add(mac)) return false;
    if (this.spillDir !== undefined && !this.closed && set.recent.size >= this.spillEntries) this.spill(set);
    return true;
  }

  private spill(set: TypeSet): void {
    if (this.file === null) {
      const path = join(this.spillDir!, `blobset-${randomBytes(6).toString('hex')}`);
      this.file = { fd: openSync(path, 'wx+', 0o600), path, size: 0 };
    }
    const { slots, mask, zero } = set.recent.table();
    const bytes = new Uint8Array(slots.buffer, slots.byteOffset, slots.byteLength);
    const at = this.file.size;
    for (let done = 0; done < bytes.length; ) done += writeSync(this.file.fd, bytes, done, bytes.length - done, at + done);
    this.file.size += bytes.length;
    set.spilled.push(new SpilledTable(this.file.fd, at, mask, slots, set.recent.size));
    set.recent = new MacSet();
    if (zero) set.recent.add(new Uint8Array(32));
  }

  close(): void {
    const f = this.file;
    this.file = null;
    this.closed = true;
    this.byType.clear();
    if (f === null) return;
    closeSync(f.fd);
    rmSync(f.path, { force: true });
  }
}

/** The MAC as words in w; false if it is all zeros. */
function loadWords(mac: Uint8Array, w: Uint32Array): boolean {
  if (mac.length !== 32) throw new RangeError(`MacSet: MAC of ${mac.length} bytes, want 32`);
  let any = 0;
  for (let k = 0, o = 0; k < WORDS; k++, o += 4) {
    const v = (mac[o]! | (mac[o + 1]! << 8) | (mac[o + 2]! << 16) | (mac[o + 3]! << 24)) >>> 0;
    w[k] = v;
    any |= v;
  }
  return any !== 0;
}
