import { describe, expect, it } from 'vitest';
import { BlobIndex, ET, Locations, type Location, type StateData } from '../format/state.js';

const id = (b: number): Uint8Array => new Uint8Array(32).fill(b);
const loc = (type: number, mac: number, pack: number, offset: number): Location => ({ type, version: 0x10000, mac: id(mac), packfile: id(pack), offset, length: 10, flags: 0 });
const state = (s: Partial<StateData>): StateData => ({
  version: 0x10100,
  parent: null,
  locations: Locations.from([]),
  coloured: [],
  packfiles: [],
  configurations: [],
  deletes: [],
  metadata: { version: 0x10100, timestamp: 0n, serial: new Uint8Array(16) },
  ...s,
});
const pack = (p: number) => ({ packfile: id(p), stateId: id(0), timestamp: 0n });

describe('BlobIndex: merging states as Kloset does', () => {
  it('the first usable location of a blob wins; unlisted, coloured and deleted packfiles and deleted deltas are skipped', () => {
    const index = BlobIndex.build([
      state({ locations: Locations.from([loc(9, 1, 0xa, 100), loc(9, 2, 0xb, 200), loc(9, 3, 0xc, 300), loc(5, 7, 0xa, 0), loc(5, 8, 0xa, 50)]), packfiles: [pack(0xa), pack(0xc)] }),
      state({ locations: Locations.from([loc(9, 1, 0xd, 1), loc(9, 2, 0xd, 2), loc(9, 4, 0xa, 400), loc(9, 5, 0xe, 500)]), packfiles: [pack(0xd), pack(0xe)], coloured: [{ type: 4, mac: id(0xe), when: 0n }, { type: 5, mac: id(8), when: 0n }] }),
      state({ deletes: [{ target: ET.LOCATIONS, blobType: 9, mac: id(4), packfile: id(0xa) }] }),
    ]);
    expect(index.lookup(9, id(1))).toEqual({ packfile: id(0xa), offset: 100, length: 10 });
    // its first location's packfile (0xb) is never listed: the second one serves it
    expect(index.lookup(9, id(2))).toEqual({ packfile: id(0xd), offset: 2, length: 10 });
    expect(index.lookup(9, id(3))?.offset).toBe(300);
    expect(index.lookup(9, id(4))).toBeNull();
    expect(index.lookup(9, id(5))).toBeNull();
    expect(index.snapshots()).toEqual([id(7)]);
    expect(index.size).toBe(5);
  });
});

describe('BlobIndex at scale', () => {
  it('answers as a first-wins Map over 20,000 locations in 3 states, many blobs listed more than once', () => {
    const packs = [1, 2, 3].map((p) => pack(p));
    const ref = new Map<string, { packfile: Uint8Array; offset: number; length: number }>();
    const states: StateData[] = [];
    let seed = 1;
    const rnd = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
    for (let s = 0; s < 3; s++) {
      const list: Location[] = [];
      for (let i = 0; i < 20_000 / 3; i++) {
        const mac = new Uint8Array(32);
        mac[0] = rnd(40);
        mac[31] = rnd(200); // 8,000 distinct MACs per type, so many repeats
        const l = { type: [9, 12, 21][rnd(3)]!, version: 0x10000, mac, packfile: id(1 + rnd(3)), offset: rnd(1e6), length: rnd(1e4), flags: 0 };
        list.push(l);
        const k = `${l.type}:${Buffer.from(mac).toString('hex')}`;
        if (!ref.has(k)) ref.set(k, { packfile: l.packfile, offset: l.offset, length: l.length });
      }
      states.push(state({ locations: Locations.from(list), packfiles: packs }));
    }
    const index = BlobIndex.build(states);
    expect(index.size).toBe(ref.size);
    for (const [k, v] of ref) {
      const [t, h] = k.split(':');
      expect(index.lookup(Number(t), Buffer.from(h!, 'hex'))).toEqual(v);
    }
    expect(index.lookup(9, new Uint8Array(32).fill(0xff))).toBeNull();
  });
});

describe('Locations', () => {
  it('gives back each field as the state stores it', () => {
    const l: Location = { type: 21, version: 0x10203, mac: id(0xab), packfile: id(0xcd), offset: 2 ** 52 + 7, length: 0xfffffffe, flags: 5 };
    const ls = Locations.from([loc(9, 1, 2, 3), l]);
    expect(ls.length).toBe(2);
    expect(ls.at(1)).toEqual(l);
    expect([...ls].map((x) => x.type)).toEqual([9, 21]);
  });
});
