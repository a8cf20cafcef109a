// Annotated hex: the format of spec/vectors/*.hex, and the annotators that explain bytes.
//
// Format of a .hex file:
//   - `#` starts a comment that runs to the end of the line;
//   - every other token is one byte as two hex digits, or `??` for a byte that varies between
//     archives (templates only);
//   - whitespace and line breaks carry no meaning.

const HEX = /^[0-9a-f]{2}$/;

/** Parses annotated hex into bytes and a mask (mask[i] = 0 where the byte is `??`). */
export function parseHex(text) {
  const bytes = [];
  const mask = [];
  for (const line of text.split('\n')) {
    for (const tok of line.replace(/#.*$/, '').trim().split(/\s+/).filter(Boolean)) {
      if (tok === '??') {
        bytes.push(0);
        mask.push(0);
      } else if (HEX.test(tok.toLowerCase())) {
        bytes.push(parseInt(tok, 16));
        mask.push(1);
      } else throw new Error(`bad hex token ${JSON.stringify(tok)}`);
    }
  }
  return { bytes: Uint8Array.from(bytes), mask: Uint8Array.from(mask) };
}

/** True when `data` (from `at`) matches every non-wildcard byte of the pattern. */
export function matches(pattern, data, at = 0) {
  if (at + pattern.bytes.length > data.length) return false;
  for (let i = 0; i < pattern.bytes.length; i++) if (pattern.mask[i] && pattern.bytes[i] !== data[at + i]) return false;
  return true;
}

const hx = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

/** Lines of `hex  # comment`, hex wrapped at 16 bytes; `wild` prints the bytes as `??`. */
export class Annotated {
  constructor() {
    this.lines = [];
  }
  note(text) {
    this.lines.push(`# ${text}`.trimEnd());
    return this;
  }
  blank() {
    this.lines.push('');
    return this;
  }
  bytes(b, comment = '', indent = 0, wild = false) {
    const pad = ' '.repeat(indent);
    if (b.length === 0) {
      if (comment) this.lines.push(`${pad}# ${comment}`);
      return this;
    }
    for (let i = 0; i < b.length; i += 16) {
      const part = b.subarray(i, Math.min(i + 16, b.length));
      const h = wild ? Array.from(part, () => '??').join(' ') : hx(part);
      const c = i === 0 && comment ? `  # ${comment}` : '';
      this.lines.push(`${pad}${h.padEnd(47)}${c}`.trimEnd());
    }
    return this;
  }
  text() {
    return this.lines.join('\n') + '\n';
  }
}

const dv = (b) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const latin1 = (b) => Buffer.from(b).toString('latin1');
const utf8 = (b) => Buffer.from(b).toString('utf8');

/**
 * Explains msgpack bytes token by token, as Go's vmihailenco/msgpack wrote them. `wildKeys` are
 * map keys whose values vary between archives and are printed as `??`.
 */
export function annotateMsgpack(a, b, { indent = 0, wildKeys = new Set() } = {}) {
  let p = 0;
  const v = dv(b);
  const item = (depth, wild, label) => {
    const at = p;
    const t = b[p];
    const ind = indent + depth * 2;
    const emit = (n, comment) => {
      a.bytes(b.subarray(at, at + n), (label ? `${label}: ` : '') + comment, ind, wild);
      p = at + n;
    };
    const str = (hdr, n) => {
      const s = utf8(b.subarray(at + hdr, at + hdr + n));
      emit(hdr + n, `str(${n}) ${JSON.stringify(s)}`);
      return s;
    };
    if (t <= 0x7f) return emit(1, `positive fixint ${t}`);
    if (t >= 0xe0) return emit(1, `negative fixint ${t - 256}`);
    if ((t & 0xf0) === 0x80 || t === 0xde || t === 0xdf) {
      const [n, h] = (t & 0xf0) === 0x80 ? [t & 0x0f, 1] : t === 0xde ? [v.getUint16(at + 1), 3] : [v.getUint32(at + 1), 5];
      a.bytes(b.subarray(at, at + h), `${label ? label + ': ' : ''}map, ${n} entries`, ind);
      p = at + h;
      for (let i = 0; i < n; i++) {
        const kAt = p;
        item(depth + 1, wild, 'key');
        const key = readKey(b, kAt);
        item(depth + 1, wild || wildKeys.has(key), key !== null ? `${key}` : 'value');
      }
      return;
    }
    if ((t & 0xf0) === 0x90 || t === 0xdc || t === 0xdd) {
      const [n, h] = (t & 0xf0) === 0x90 ? [t & 0x0f, 1] : t === 0xdc ? [v.getUint16(at + 1), 3] : [v.getUint32(at + 1), 5];
      a.bytes(b.subarray(at, at + h), `${label ? label + ': ' : ''}array, ${n} items`, ind);
      p = at + h;
      for (let i = 0; i < n; i++) item(depth + 1, wild, `[${i}]`);
      return;
    }
    if ((t & 0xe0) === 0xa0) return str(1, t & 0x1f);
    switch (t) {
      case 0xc0: return emit(1, 'nil');
      case 0xc2: return emit(1, 'false');
      case 0xc3: return emit(1, 'true');
      case 0xc4: case 0xc5: case 0xc6: {
        const h = t === 0xc4 ? 2 : t === 0xc5 ? 3 : 5;
        const n = t === 0xc4 ? b[at + 1] : t === 0xc5 ? v.getUint16(at + 1) : v.getUint32(at + 1);
        a.bytes(b.subarray(at, at + h), `${label ? label + ': ' : ''}bin(${n})`, ind);
        a.bytes(b.subarray(at + h, at + h + n), '', ind + 2, wild);
        p = at + h + n;
        return;
      }
      case 0xca: return emit(5, `float32 ${v.getFloat32(at + 1)}`);
      case 0xcb: return emit(9, `float64 ${v.getFloat64(at + 1)}`);
      case 0xcc: return emit(2, `uint8 ${b[at + 1]}`);
      case 0xcd: return emit(3, `uint16 ${v.getUint16(at + 1)}`);
      case 0xce: return emit(5, `uint32 ${v.getUint32(at + 1)}`);
      case 0xcf: return emit(9, `uint64 ${v.getBigUint64(at + 1)}`);
      case 0xd0: return emit(2, `int8 ${v.getInt8(at + 1)}`);
      case 0xd1: return emit(3, `int16 ${v.getInt16(at + 1)}`);
      case 0xd2: return emit(5, `int32 ${v.getInt32(at + 1)}`);
      case 0xd3: return emit(9, `int64 ${v.getBigInt64(at + 1)}`);
      case 0xd6:
        if (b[at + 1] === 0xff) return emit(6, `timestamp32 (ext -1): sec=${v.getUint32(at + 2)} nsec=0`);
        break;
      case 0xd7:
        if (b[at + 1] === 0xff) {
          const x = v.getBigUint64(at + 2);
          return emit(10, `timestamp64 (ext -1): sec=${x & 0x3ffffffffn} nsec=${x >> 34n}`);
        }
        break;
      case 0xc7:
        if (b[at + 1] === 12 && b[at + 2] === 0xff) return emit(15, `timestamp96 (ext -1): nsec=${v.getUint32(at + 3)} sec=${v.getBigInt64(at + 7)}`);
        break;
      case 0xd9: return str(2, b[at + 1]);
      case 0xda: return str(3, v.getUint16(at + 1));
      case 0xdb: return str(5, v.getUint32(at + 1));
    }
    throw new Error(`msgpack token 0x${t.toString(16)} at ${at} not handled`);
  };
  item(0, false, '');
  if (p !== b.length) throw new Error(`msgpack: ${b.length - p} trailing bytes`);
  return a;
}

function readKey(b, at) {
  const t = b[at];
  if ((t & 0xe0) === 0xa0) return utf8(b.subarray(at + 1, at + 1 + (t & 0x1f)));
  if (t === 0xd9) return utf8(b.subarray(at + 2, at + 2 + b[at + 1]));
  return null;
}

/** Fixed little-endian fields: [size, name, kind] with kind u32/u64/i64/u8/bytes/ascii/version. */
export function annotateFields(a, b, fields, { indent = 0, wild = new Set() } = {}) {
  let p = 0;
  const v = dv(b);
  for (const [size, name, kind] of fields) {
    const part = b.subarray(p, p + size);
    let desc = name;
    if (!wild.has(name)) {
      if (kind === 'u8') desc += ` = ${part[0]}`;
      if (kind === 'u16') desc += ` = ${v.getUint16(p, true)} (u16 LE)`;
      if (kind === 'u32') desc += ` = ${v.getUint32(p, true)} (u32 LE)`;
      if (kind === 'u64') desc += ` = ${v.getBigUint64(p, true)} (u64 LE)`;
      if (kind === 'i64') desc += ` = ${v.getBigInt64(p, true)} (i64 LE)`;
      if (kind === 'ascii') desc += ` ${JSON.stringify(latin1(part))}`;
      if (kind === 'version') {
        const x = v.getUint32(p, true);
        desc += ` = ${x >>> 16}.${(x >>> 8) & 0xff}.${x & 0xff} (u32 LE 0x${x.toString(16).padStart(8, '0')})`;
      }
    }
    a.bytes(part, desc, indent, wild.has(name));
    p += size;
  }
  if (p !== b.length) throw new Error(`fields: ${b.length - p} bytes left`);
  return a;
}

/** An LZ4 frame (magic, FLG, BD, HC, blocks, end mark, content checksum), as pierrec/lz4 writes it. */
export function annotateLz4Frame(a, b, { indent = 0 } = {}) {
  const v = dv(b);
  const flg = b[4];
  a.bytes(b.subarray(0, 4), 'LZ4 frame magic 0x184D2204 (LE)', indent);
  a.bytes(b.subarray(4, 5), `FLG 0x${flg.toString(16)}: version 01, block independence ${(flg >> 5) & 1}, block checksum ${(flg >> 4) & 1}, content size ${(flg >> 3) & 1}, content checksum ${(flg >> 2) & 1}, dictID ${flg & 1}`, indent);
  a.bytes(b.subarray(5, 6), `BD 0x${b[5].toString(16)}: block maximum size ${['', '', '', '', '64 KiB', '256 KiB', '1 MiB', '4 MiB'][(b[5] >> 4) & 7]}`, indent);
  let p = 6;
  if (flg & 0x08) {
    a.bytes(b.subarray(p, p + 8), 'content size (u64 LE)', indent);
    p += 8;
  }
  a.bytes(b.subarray(p, p + 1), 'HC: header checksum = (xxh32(FLG..BD) >> 8) & 0xff', indent);
  p += 1;
  for (;;) {
    const word = v.getUint32(p, true);
    if (word === 0) {
      a.bytes(b.subarray(p, p + 4), 'end mark (u32 0)', indent);
      p += 4;
      break;
    }
    const size = word & 0x7fffffff;
    const raw = (word & 0x80000000) !== 0;
    a.bytes(b.subarray(p, p + 4), `block: ${size} bytes, ${raw ? 'stored uncompressed (bit 31 set)' : 'LZ4-compressed'}`, indent);
    a.bytes(b.subarray(p + 4, p + 4 + size), '', indent + 2);
    p += 4 + size;
    if (flg & 0x10) {
      a.bytes(b.subarray(p, p + 4), 'block checksum', indent);
      p += 4;
    }
  }
  if (flg & 0x04) {
    a.bytes(b.subarray(p, p + 4), 'content checksum = xxh32(decoded bytes, seed 0), u32 LE', indent);
    p += 4;
  }
  if (p !== b.length) throw new Error(`lz4: ${b.length - p} trailing bytes`);
  return a;
}

export const RESOURCE_NAMES = {
  1: 'config', 2: 'lock', 3: 'state', 4: 'packfile', 5: 'snapshot', 6: 'signature', 7: 'object', 9: 'chunk',
  10: 'vfs-btree', 11: 'vfs-node', 12: 'vfs-entry', 13: 'error-btree', 14: 'error-node', 15: 'error-entry',
  16: 'xattr-btree', 17: 'xattr-node', 18: 'xattr-entry', 19: 'btree-root', 20: 'btree-node', 21: 'vfs-summary',
  255: 'random',
};

/** A decoded state stream, one entry per group of lines. */
export function annotateState(a, s, hasParent) {
  const v = dv(s);
  let p = 0;
  if (hasParent) {
    a.bytes(s.subarray(0, 32), 'Parent: state id of the parent state (32 bytes; all zero: no parent)');
    p = 32;
  }
  const ver = (x) => `${x >>> 16}.${(x >>> 8) & 0xff}.${x & 0xff}`;
  for (;;) {
    const t = s[p];
    if (t === 1) {
      a.bytes(s.subarray(p, p + 1), 'EntryType 1 = ET_METADATA (no length field follows)');
      a.bytes(s.subarray(p + 1, p + 5), `  Version = ${ver(v.getUint32(p + 1, true))} (u32 LE)`);
      a.bytes(s.subarray(p + 5, p + 13), `  Timestamp = ${v.getBigUint64(p + 5, true)} (u64 LE, Unix ns)`);
      a.bytes(s.subarray(p + 13, p + 29), '  Serial (16-byte UUID)');
      return a;
    }
    const len = v.getUint32(p + 1, true);
    const q = p + 5;
    if (t === 2) {
      a.bytes(s.subarray(p, p + 5), `EntryType 2 = ET_LOCATIONS, Length ${len}`);
      a.bytes(s.subarray(q, q + 5), `  blob type ${s[q]} (${RESOURCE_NAMES[s[q]]}), blob version ${ver(v.getUint32(q + 1, true))}`);
      a.bytes(s.subarray(q + 5, q + 37), '  blob MAC');
      a.bytes(s.subarray(q + 37, q + 69), '  packfile id');
      a.bytes(s.subarray(q + 69, q + 85), `  offset ${v.getBigUint64(q + 69, true)} (u64), length ${v.getUint32(q + 77, true)} (u32), flags ${v.getUint32(q + 81, true)} (u32)`);
    } else if (t === 3) {
      a.bytes(s.subarray(p, p + 5), `EntryType 3 = ET_COLOURED, Length ${len}`);
      a.bytes(s.subarray(q, q + len), '  type u8, MAC[32], When u64');
    } else if (t === 4) {
      a.bytes(s.subarray(p, p + 5), `EntryType 4 = ET_PACKFILE, Length ${len}`);
      a.bytes(s.subarray(q, q + 32), '  packfile id');
      a.bytes(s.subarray(q + 32, q + 64), '  StateID');
      a.bytes(s.subarray(q + 64, q + 72), `  Timestamp ${v.getBigUint64(q + 64, true)} (u64 LE, Unix ns)`);
    } else {
      a.bytes(s.subarray(p, p + 5), `EntryType ${t}, Length ${len}`);
      a.bytes(s.subarray(q, q + len), '  payload');
    }
    p = q + len;
  }
}
