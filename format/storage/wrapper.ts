import { ByteReader, ByteWriter, bytesEqual } from '../binary.js';
import { IntegrityError, UnsupportedError } from '../errors.js';
import type { Hasher } from '../crypto/blake3.js';
import { formatVersion } from '../versioning.js';
import { resourceName } from '../resources.js';

export const WRAPPER_MAGIC = '_KLOSET_';
export const LEGACY_WRAPPER_MAGIC = '_PLAKAR_';
export const WRAPPER_HEADER_SIZE = 16;
export const WRAPPER_MAC_SIZE = 32;

export interface WrapperHeader {
  type: number;
  version: number;
}

/** Parses the 16-byte header of a wrapped resource and checks its magic and type. */
export function parseWrapperHeader(head: Uint8Array, expectedType: number, what: string): WrapperHeader {
  const r = new ByteReader(head, what);
  const magic = Buffer.from(r.bytes(8)).toString('latin1');
  if (magic !== WRAPPER_MAGIC && magic !== LEGACY_WRAPPER_MAGIC) throw new IntegrityError(`${what}: bad resource magic`);
  const type = r.u32();
  if (type !== expectedType) {
    throw new IntegrityError(`${what}: invalid resource type ${resourceName(type)}, expected ${resourceName(expectedType)}`);
  }
  return { type, version: r.u32() };
}

/**
 * Splits a whole wrapped resource into header and body after verifying its MAC, which covers the
 * header and the body. `newHasher` gives the hasher for this resource (§ keys in the spec).
 */
export function unwrap(buf: Uint8Array, expectedType: number, newHasher: () => Hasher, what: string): { header: WrapperHeader; body: Uint8Array } {
  if (buf.length < WRAPPER_HEADER_SIZE + WRAPPER_MAC_SIZE) throw new IntegrityError(`${what}: truncated resource (${buf.length} bytes)`);
  const header = parseWrapperHeader(buf.subarray(0, WRAPPER_HEADER_SIZE), expectedType, what);
  const macAt = buf.length - WRAPPER_MAC_SIZE;
  const h = newHasher();
  h.update(buf.subarray(0, macAt));
  if (!bytesEqual(h.digest(), buf.subarray(macAt))) throw new IntegrityError(`${what}: MAC mismatch`);
  return { header, body: buf.subarray(WRAPPER_HEADER_SIZE, macAt) };
}

export function checkVersion(header: WrapperHeader, supported: number, what: string): void {
  if (header.version > supported) {
    throw new UnsupportedError(`${what}: version ${formatVersion(header.version)} is newer than supported ${formatVersion(supported)}`);
  }
}

export function wrapHeader(type: number, version: number): Uint8Array {
  return new ByteWriter().bytes(Buffer.from(WRAPPER_MAGIC, 'latin1')).u32(type).u32(version).finish();
}

/** A whole wrapped resource: header, body, and the MAC of both. */
export function wrapResource(type: number, version: number, body: Uint8Array, mac: Hasher): Uint8Array {
  const header = wrapHeader(type, version);
  mac.update(header);
  mac.update(body);
  return new ByteWriter().bytes(header).bytes(body).bytes(mac.digest()).finish();
}
