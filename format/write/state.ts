import { ByteWriter } from '../binary.js';
import type { Codec } from '../keys.js';
import { RT } from '../resources.js';
import { ET, STATE_VERSION_1_1 } from '../state.js';
import { wrapHeader } from '../storage/wrapper.js';
import type { Output } from './output.js';

/**
 * A version 1.1.0 state stream as Kloset writes it: the parent id, then deletes, locations,
 * coloured resources and packfiles (callers add them in that order), then the metadata record.
 * Large states are taken out in pieces as they are written (take(), writeState()).
 */
export class StateStream {
  private readonly w = new ByteWriter();

  constructor(parent: Uint8Array) {
    this.w.bytes(parent);
  }

  location(type: number, version: number, mac: Uint8Array, packfile: Uint8Array, offset: number | bigint, length: number): this {
    this.w.u8(ET.LOCATIONS).u32(85).u8(type).u32(version).bytes(mac).bytes(packfile).u64(BigInt(offset)).u32(length).u32(0);
    return this;
  }

  coloured(type: number, mac: Uint8Array, when: bigint): this {
    this.w.u8(ET.COLOURED).u32(41).u8(type).bytes(mac).u64(when);
    return this;
  }

  packfile(id: Uint8Array, stateId: Uint8Array, timestamp: bigint): this {
    this.w.u8(ET.PACKFILE).u32(72).bytes(id).bytes(stateId).u64(timestamp);
    return this;
  }

  /** The bytes added since the last take(), for a state too big to hold whole; finish() then gives the rest. */
  take(): Uint8Array {
    const b = this.w.written().slice();
    this.w.reset();
    return b;
  }

  finish(timestamp: bigint, serial: Uint8Array): Uint8Array {
    return this.w.u8(ET.METADATA).u32(STATE_VERSION_1_1).u64(timestamp).bytes(serial).finish();
  }
}

export function nowNano(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/**
 * Writes a version 1.1.0 state resource to `out` as `fill` produces its stream: the wrapper
 * header, the stream encoded piece by piece (each time fill calls `flush`), the wrapper MAC. A
 * state lists every blob, so it is never held whole. Returns the resource's length.
 */
export async function writeState(
  out: Output,
  codec: Codec,
  parent: Uint8Array,
  fill: (state: StateStream, flush: () => Promise<void>) => Promise<void>,
  timestamp: bigint,
  serial: Uint8Array,
): Promise<number> {
  const mac = codec.newMac();
  let length = 0;
  const put = async (parts: Uint8Array[]): Promise<void> => {
    for (const p of parts) {
      mac.update(p);
      await out.write(p);
      length += p.length;
    }
  };
  await put([wrapHeader(RT.STATE, STATE_VERSION_1_1)]);
  const state = new StateStream(parent);
  const body = codec.encodeStream();
  await fill(state, () => put(body.push(state.take())));
  await put(body.push(state.finish(timestamp, serial)));
  await put(body.end());
  const digest = mac.digest();
  await out.write(digest);
  return length + digest.length;
}
