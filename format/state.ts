import { ByteReader, bytesEqual, toHex } from './binary.js';
import { IntegrityError } from './errors.js';
import { parseVersion } from './versioning.js';

export const STATE_VERSION_1_0 = parseVersion('1.0.0');
export const STATE_VERSION_1_1 = parseVersion('1.1.0');

export const ET = { METADATA: 1, LOCATIONS: 2, COLOURED: 3, PACKFILE: 4, CONFIGURATION: 5, DELETE: 6 } as const;

export interface Location {
  type: number;
  version: number;
  mac: Uint8Array;
  packfile: Uint8Array;
  offset: number;
  length: number;
  flags: number;
}

/** A location entry's payload: type u8, version u32, MAC, packfile, offset u64, length u32, flags u32. */
const LOCATION = 85;

/**
 * A state's location entries where they are in the decoded stream (each payload's offset): a
 * state lists every blob, and an object per location made opening an archive of a million files
 * cost gigabytes.
 */
export class Locations {
  private offsets = new Uint32Array(256);
  private readonly view: DataView;
  length = 0;

  constructor(private readonly stream: Uint8Array) {
    this.view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  }

  /** Locations given as objects, laid out as a state stores them. */
  static from(list: Location[]): Locations {
    const buf = new Uint8Array(list.length * LOCATION);
    const v = new DataView(buf.buffer);
    const out = new Locations(buf);
    list.forEach((l, i) => {
      const o = i * LOCATION;
      buf[o] = l.type;
      v.setUint32(o + 1, l.version, true);
      buf.set(l.mac, o + 5);
      buf.set(l.packfile, o + 37);
      v.setBigUint64(o + 69, BigInt(l.offset), true);
      v.setUint32(o + 77, l.length, true);
      v.setUint32(o + 81, l.flags, true);
      out.add(o);
    });
    return out;
  }

  /** Adds the entry whose 85-byte payload starts at stream[at] (already checked to be there). */
  add(at: number): void {
    if (this.length === this.offsets.length) {
      const grown = new Uint32Array(2 * this.offsets.length);
      grown.set(this.offsets);
      this.offsets = grown;
    }
    this.offsets[this.length++] = at;
  }

  type(i: number): number {
    return this.stream[this.offsets[i]!]!;
  }

  mac(i: number): Uint8Array {
    const o = this.offsets[i]! + 5;
    return this.stream.subarray(o, o + 32);
  }

  packfile(i: number): Uint8Array {
    const o = this.offsets[i]! + 37;
    return this.stream.subarray(o, o + 32);
  }

  /** Offset in the packfile (checked to be a safe integer when parsed). */
  offset(i: number): number {
    return Number(this.view.getBigUint64(this.offsets[i]! + 69, true));
  }

  blobLength(i: number): number {
    return this.view.getUint32(this.offsets[i]! + 77, true);
  }

  at(i: number): Location {
    const o = this.offsets[i]!;
    return {
      type: this.type(i),
      version: this.view.getUint32(o + 1, true),
      mac: this.mac(i),
      packfile: this.packfile(i),
      offset: this.offset(i),
      length: this.blobLength(i),
      flags: this.view.getUint32(o + 81, true),
    };
  }

  *[Symbol.iterator](): Generator<Location> {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }
}

export interface StateData {
  /** The state's id in its store (set by the repository that read it). */
  id?: Uint8Array;
  version: number;
  /** Parent state id (1.1.0 only; all zeros for a root). */
  parent: Uint8Array | null;
  locations: Locations;
  coloured: { type: number; mac: Uint8Array; when: bigint }[];
  packfiles: { packfile: Uint8Array; stateId: Uint8Array; timestamp: bigint }[];
  configurations: { key: string; value: Uint8Array; createdAt: bigint }[];
  deletes: { target: number; blobType: number; mac: Uint8Array; packfile: Uint8Array }[];
  metadata: { version: number; timestamp: bigint; serial: Uint8Array };
}

/**
 * Parses a decoded state stream. Version 1.1.0 streams start with the parent id; both end with a
 * metadata record that has no length field. Unknown entry types are skipped by their length so
 * that newer writers stay readable; known fixed-size entries must have their exact size.
 */
export function parseState(stream: Uint8Array, wrapperVersion: number): StateData {
  const r = new ByteReader(stream, 'state');
  const st: StateData = {
    version: wrapperVersion,
    parent: wrapperVersion === STATE_VERSION_1_1 ? r.bytes(32) : null,
    locations: new Locations(stream),
    coloured: [],
    packfiles: [],
    configurations: [],
    deletes: [],
    metadata: { version: 0, timestamp: 0n, serial: new Uint8Array(16) },
  };
  for (;;) {
    const et = r.u8();
    if (et === ET.METADATA) {
      st.metadata = { version: r.u32(), timestamp: r.u64big(), serial: r.bytes(16) };
      if (r.remaining !== 0) throw new IntegrityError(`state: ${r.remaining} trailing bytes after metadata`);
      return st;
    }
    const len = r.u32();
    const at = r.offset;
    const p = new ByteReader(r.bytes(len), `state entry type ${et}`);
    const fixed = (n: number): void => {
      if (len !== n) throw new IntegrityError(`state: entry type ${et} has length ${len}, expected ${n}`);
    };
    switch (et) {
      case ET.LOCATIONS:
        fixed(LOCATION);
        p.bytes(69);
        p.u64(); // the offset must be a safe integer
        st.locations.add(at);
        break;
      case ET.COLOURED:
        fixed(41);
        st.coloured.push({ type: p.u8(), mac: p.bytes(32), when: p.u64big() });
        break;
      case ET.PACKFILE:
        fixed(72);
        st.packfiles.push({ packfile: p.bytes(32), stateId: p.bytes(32), timestamp: p.u64big() });
        break;
      case ET.CONFIGURATION: {
        const key = Buffer.from(p.bytes(p.u8())).toString('utf8');
        const value = p.bytes(p.u16());
        st.configurations.push({ key, value, createdAt: p.u64big() });
        break;
      }
      case ET.DELETE:
        if (wrapperVersion !== STATE_VERSION_1_1) break; // 1.0.0 readers skip it by length
        fixed(66);
        st.deletes.push({ target: p.u8(), blobType: p.u8(), mac: p.bytes(32), packfile: p.bytes(32) });
        break;
      default:
        break;
    }
  }
}

const RECORD = 1 + 32 + 4 + 8 + 4; // type, mac, packfile number, offset, length
const KEY = 33; // type, mac
const findKey = new Uint8Array(KEY);

/** Byte order of the (type, MAC) keys at x[a] and y[b]. */
function compareKeys(x: Uint8Array, a: number, y: Uint8Array, b: number): number {
  for (let k = 0; k < KEY; k++) {
    const d = x[a + k]! - y[b + k]!;
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Where every blob lives, merged from all states of a store, in one compact sorted buffer looked up
 * by binary search: ~49 bytes per blob instead of a JS object each.
 */
export class BlobIndex {
  private constructor(
    private readonly records: Uint8Array,
    private readonly packfiles: Uint8Array[],
    private readonly deletedSnapshots: Set<string>,
  ) {}

  get size(): number {
    return this.records.length / RECORD;
  }

  /** Merges states in order (parents first); a delta is usable when its packfile is listed and not coloured. */
  static build(states: StateData[]): BlobIndex {
    const packNumber = new Map<string, number>();
    const packfiles: Uint8Array[] = [];
    const colouredPacks = new Set<string>();
    const deletedSnapshots = new Set<string>();
    const deletedDeltas = new Set<string>();
    const deletedPacks = new Set<string>();
    for (const st of states) {
      for (const d of st.deletes) {
        if (d.target === ET.LOCATIONS) deletedDeltas.add(`${d.blobType}:${toHex(d.mac)}:${toHex(d.packfile)}`);
        else if (d.target === ET.PACKFILE) deletedPacks.add(toHex(d.packfile));
        else if (d.target === ET.COLOURED) {
          if (d.blobType === 5) deletedSnapshots.delete(toHex(d.mac));
          if (d.blobType === 4) colouredPacks.delete(toHex(d.mac));
        } else throw new IntegrityError(`state: delete entry with invalid target type ${d.target}`);
      }
      for (const p of st.packfiles) {
        const k = toHex(p.packfile);
        deletedPacks.delete(k);
        if (!packNumber.has(k)) {
          packNumber.set(k, packfiles.length);
          packfiles.push(p.packfile);
        }
      }
      for (const c of st.coloured) {
        if (c.type === 5) deletedSnapshots.add(toHex(c.mac));
        else if (c.type === 4) colouredPacks.add(toHex(c.mac));
      }
    }
    let total = 0;
    for (const st of states) total += st.locations.length;
    const rows = new Uint8Array(total * RECORD);
    const rowView = new DataView(rows.buffer);
    let n = 0;
    // Consecutive locations mostly share a packfile: its hex name is worked out once per run.
    let lastPack: Uint8Array = new Uint8Array(0);
    let pk = '';
    for (const st of states) {
      const ls = st.locations;
      for (let i = 0; i < ls.length; i++) {
        const pack = ls.packfile(i);
        if (!bytesEqual(pack, lastPack)) {
          lastPack = pack;
          pk = toHex(pack);
        }
        const num = packNumber.get(pk);
        if (num === undefined || colouredPacks.has(pk) || deletedPacks.has(pk)) continue;
        if (deletedDeltas.size > 0 && deletedDeltas.has(`${ls.type(i)}:${toHex(ls.mac(i))}:${pk}`)) continue;
        const at = n++ * RECORD;
        rows[at] = ls.type(i);
        rows.set(ls.mac(i), at + 1);
        rowView.setUint32(at + 33, num, true);
        rowView.setBigUint64(at + 37, BigInt(ls.offset(i)), true);
        rowView.setUint32(at + 45, ls.blobLength(i), true);
      }
    }
    // Rows of one blob keep their merge order (ties go by position): the first usable location wins.
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => compareKeys(rows, a * RECORD, rows, b * RECORD) || a - b);
    const records = new Uint8Array(n * RECORD);
    let count = 0;
    for (let k = 0; k < n; k++) {
      const at = order[k]! * RECORD;
      if (count > 0 && compareKeys(records, (count - 1) * RECORD, rows, at) === 0) continue;
      records.set(rows.subarray(at, at + RECORD), count++ * RECORD);
    }
    return new BlobIndex(records.slice(0, count * RECORD), packfiles, deletedSnapshots);
  }


  private find(type: number, mac: Uint8Array): number {
    const key = findKey;
    key[0] = type;
    key.set(mac, 1);
    let lo = 0;
    let hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareKeys(this.records, mid * RECORD, key, 0);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  lookup(type: number, mac: Uint8Array): { packfile: Uint8Array; offset: number; length: number } | null {
    const i = this.find(type, mac);
    if (i < 0) return null;
    const r = new ByteReader(this.records.subarray(i * RECORD + 33, (i + 1) * RECORD), 'blob index');
    return { packfile: this.packfiles[r.u32()]!, offset: r.u64(), length: r.u32() };
  }

  has(type: number, mac: Uint8Array): boolean {
    return this.find(type, mac) >= 0;
  }

  /** Every blob of a type, in MAC order. */
  *list(type: number): Generator<Uint8Array> {
    for (let i = 0; i < this.size; i++) {
      const at = i * RECORD;
      if (this.records[at] === type) yield this.records.slice(at + 1, at + 33);
    }
  }

  /** Snapshot ids: snapshot blobs that were not deleted. */
  snapshots(): Uint8Array[] {
    return [...this.list(5)].filter((id) => !this.deletedSnapshots.has(toHex(id)));
  }
}
