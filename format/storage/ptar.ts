import { ByteReader } from '../binary.js';
import { IntegrityError, UnsupportedError } from '../errors.js';
import type { ByteSource } from '../io/source.js';
import { formatVersion, parseVersion } from '../versioning.js';

export const PTAR_MAGIC = '_PLATAR_';
export const PTAR_VERSION = parseVersion('1.0.0');
export const PTAR_HEADER_SIZE = 12;
export const PTAR_TRAILER_SIZE = 48;
/** The reference reader refuses larger configurations; so do we, before allocating anything. */
export const MAX_CONFIG_LENGTH = 32 * 1024;

/** The fixed identifiers the ptar store gives its only state and packfile. */
export const PTAR_STATE_ID = Uint8Array.from([...Array.from({ length: 16 }, (_, i) => 15 - i), ...new Array(16).fill(0)]);
export const PTAR_PACKFILE_ID = Uint8Array.from([...Array.from({ length: 16 }, (_, i) => i), ...new Array(16).fill(0)]);

export interface Section {
  offset: number;
  length: number;
}

export interface PtarLayout {
  version: number;
  fileSize: number;
  config: Section;
  packfile: Section;
  state: Section;
}

/** Reads and validates the 12-byte header and the 48-byte trailer of a ptar container. */
export async function readPtarLayout(src: ByteSource): Promise<PtarLayout> {
  if (src.size < PTAR_HEADER_SIZE + PTAR_TRAILER_SIZE) {
    throw new IntegrityError(`${src.name}: too short to be a ptar archive (${src.size} bytes)`);
  }
  const head = new ByteReader(await src.read(0, PTAR_HEADER_SIZE), 'ptar header');
  const magic = Buffer.from(head.bytes(8)).toString('latin1');
  if (magic !== PTAR_MAGIC) throw new IntegrityError(`${src.name}: not a ptar archive (bad magic)`);
  const version = head.u32();
  if (version > PTAR_VERSION) {
    throw new UnsupportedError(`${src.name}: ptar container version ${formatVersion(version)} is newer than supported ${formatVersion(PTAR_VERSION)}`);
  }

  const trailerOffset = src.size - PTAR_TRAILER_SIZE;
  const t = new ByteReader(await src.read(trailerOffset, PTAR_TRAILER_SIZE), 'ptar trailer');
  const field = (): number => {
    const v = t.i64big();
    if (v < 0n || v > BigInt(trailerOffset)) throw new IntegrityError(`${src.name}: trailer points outside the archive (corrupted or truncated)`);
    return Number(v);
  };
  const config = { offset: field(), length: field() };
  const packfile = { offset: field(), length: field() };
  const state = { offset: field(), length: field() };

  if (config.offset !== PTAR_HEADER_SIZE) throw new IntegrityError(`${src.name}: trailer: configuration must start at offset 12`);
  if (config.length <= 0 || config.length > MAX_CONFIG_LENGTH) {
    throw new IntegrityError(`${src.name}: trailer: invalid configuration length ${config.length}`);
  }
  for (const [what, s] of [['configuration', config], ['packfile', packfile], ['state', state]] as const) {
    if (s.offset < PTAR_HEADER_SIZE || s.offset + s.length > trailerOffset) {
      throw new IntegrityError(`${src.name}: trailer: ${what} section [${s.offset}, +${s.length}) is outside the archive (corrupted or truncated)`);
    }
  }
  return { version, fileSize: src.size, config, packfile, state };
}
