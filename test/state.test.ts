import { describe, expect, it } from 'vitest';
import { BlobIndex, ET, type Location, type StateData } from '../format/state.js';

const id = (b: number): Uint8Array => new Uint8Array(32).fill(b);
const loc = (type: number, mac: number, pack: number, offset: number): Location => ({ type, version: 0x10000, mac: id(mac), packfile: id(pack), offset, length: 10, flags: 0 });
const state = (s: Partial<StateData>): StateData => ({
  version: 0x10100,
  parent: null,
  locations: [],
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
      state({ locations: [loc(9, 1, 0xa, 100), loc(9, 2, 0xb, 200), loc(9, 3, 0xc, 300), loc(5, 7, 0xa, 0), loc(5, 8, 0xa, 50)], packfiles: [pack(0xa), pack(0xc)] }),
      state({ locations: [loc(9, 1, 0xd, 1), loc(9, 2, 0xd, 2), loc(9, 4, 0xa, 400), loc(9, 5, 0xe, 500)], packfiles: [pack(0xd), pack(0xe)], coloured: [{ type: 4, mac: id(0xe), when: 0n }, { type: 5, mac: id(8), when: 0n }] }),
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
