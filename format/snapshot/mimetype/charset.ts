// Charset parameter detection for text/plain, text/html and text/xml, reproducing
// mimetype v1.4.13's internal/charset package.

import { getAnAttribute, skipAComment } from './markup.js';
import { bytesOf, goString, hasPrefix, indexOf, isWS, match, Flags, Scanner, trimSpace, utf8Valid } from './scan.js';

const BOMS: [Uint8Array, string][] = [
  [Uint8Array.of(0xef, 0xbb, 0xbf), 'utf-8'],
  [Uint8Array.of(0x00, 0x00, 0xfe, 0xff), 'utf-32be'],
  [Uint8Array.of(0xff, 0xfe, 0x00, 0x00), 'utf-32le'],
  [Uint8Array.of(0xfe, 0xff), 'utf-16be'],
  [Uint8Array.of(0xff, 0xfe), 'utf-16le'],
];

// libmagic's text_chars classes: F never in text, T plain ASCII text, I ISO-8859 text,
// X non-ISO extended ASCII.
const F = 0;
const T = 1;
const I = 2;
const X = 3;
const TEXT_CHARS = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  let t: number;
  if (c < 0x20) t = (c >= 7 && c <= 13) || c === 0x1b ? T : F;
  else if (c < 0x7f) t = T;
  else if (c === 0x7f) t = F;
  else if (c < 0xa0) t = c === 0x85 ? T : X;
  else t = I;
  TEXT_CHARS[c] = t;
}

/** The charset declared by a byte-order mark at the start of content, or "". */
export function fromBOM(content: Uint8Array): string {
  for (const [bom, enc] of BOMS) if (hasPrefix(content, bom)) return enc;
  return '';
}

/** Charset of plain text: BOM, else UTF-8 / ASCII (reported as utf-8), else Latin-1 variants. */
export function fromPlain(content: Uint8Array): string {
  if (content.length === 0) return '';
  const bom = fromBOM(content);
  if (bom !== '') return bom;
  // Drop a (possibly partial) multi-byte rune at the end before validating UTF-8.
  let end = content.length;
  for (let i = content.length - 1; i >= 0 && i > content.length - 4; i--) {
    const b = content[i]!;
    if (b < 0x80) break;
    if ((b & 0xc0) !== 0x80) {
      end = i;
      break;
    }
  }
  const head = content.subarray(0, end);
  let hasHighBit = false;
  for (let i = 0; i < head.length; i++) {
    if (head[i]! >= 0x80) {
      hasHighBit = true;
      break;
    }
  }
  if (hasHighBit && utf8Valid(head)) return 'utf-8';
  let ascii = true;
  for (let i = 0; i < content.length; i++) {
    if (TEXT_CHARS[content[i]!] !== T) {
      ascii = false;
      break;
    }
  }
  if (ascii) return 'utf-8';
  return latin(content);
}

function latin(content: Uint8Array): string {
  let hasControlBytes = false;
  for (let i = 0; i < content.length; i++) {
    const b = content[i]!;
    const t = TEXT_CHARS[b];
    if (t !== T && t !== I) return '';
    if (b >= 0x80 && b <= 0x9f) hasControlBytes = true;
  }
  return hasControlBytes ? 'windows-1252' : 'iso-8859-1';
}

const XML_DECL = bytesOf('<?xml');
const ENCODING = bytesOf('encoding');

/** Charset of an XML document: the encoding pseudo-attribute, else as plain text. */
export function fromXML(content: Uint8Array): string {
  const cs = xmlEncoding(content);
  return cs !== '' ? cs : fromPlain(content);
}

function xmlEncoding(content: Uint8Array): string {
  const s = new Scanner(content);
  for (;;) {
    s.trimLWS();
    if (s.length <= XML_DECL.length) return '';
    const i = indexOf(s.b, XML_DECL);
    if (i === -1) return '';
    s.advance(i + XML_DECL.length);
    let hasMore = true;
    while (hasMore) {
      const a = getAnAttribute(s);
      hasMore = a.hasMore;
      if (a.name !== null && hasPrefix(a.name, ENCODING) && a.val !== null && a.val.length !== 0) return goString(a.val);
    }
  }
}

/** Charset of an HTML document: BOM, else a <meta> declaration, else as plain text. */
export function fromHTML(content: Uint8Array): string {
  const bom = fromBOM(content);
  if (bom !== '') return bom;
  const cs = htmlMetaCharset(content);
  if (cs !== '') return cs;
  return fromPlain(content);
}

const META = bytesOf('<META');
const BODY = bytesOf('<BODY');
const CONTENT_TYPE = bytesOf('CONTENT-TYPE');
const CHARSET = bytesOf('charset');

/**
 * Which of the attribute names the prescan cares about Go's strings.ToLower(name) equals, or
 * a value that compares unequal to all of them (the other names never influence the result).
 */
function attrKey(name: Uint8Array): string {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c >= 0x41 && c <= 0x5a) out += String.fromCharCode(c + 0x20);
    else if (c < 0x80) out += String.fromCharCode(c);
    else if (c === 0xc4 && name[i + 1] === 0xb0) {
      out += 'i'; // U+0130 LATIN CAPITAL LETTER I WITH DOT ABOVE lower-cases to "i" in Go
      i++;
    } else if (c === 0xe2 && name[i + 1] === 0x84 && name[i + 2] === 0xaa) {
      out += 'k'; // U+212A KELVIN SIGN
      i += 2;
    } else return '\u0000other';
  }
  return out;
}

function htmlMetaCharset(content: Uint8Array): string {
  const DONT_KNOW = 0;
  const NEED_PRAGMA = 1;
  const NO_PRAGMA = 2;
  const s = new Scanner(content);
  for (;;) {
    if (skipAComment(s)) continue;
    if (s.length <= META.length) return '';
    if (match(s.b, BODY, Flags.IgnoreCase) !== -1) return '';
    if (match(s.b, META, Flags.IgnoreCase) === -1) {
      // Only a '<' can start a comment, <body or <meta: jump to the next one (same result as
      // stepping one byte at a time, since running out of input also returns "").
      const next = s.b.indexOf(0x3c, 1);
      if (next === -1) return '';
      s.b = s.b.subarray(next);
      continue;
    }
    s.b = s.b.subarray(META.length);
    const c = s.pop();
    if (c === 0 || (!isWS(c) && c !== 0x2f)) return '';
    const seen = new Set<string>();
    let gotPragma = false;
    let needPragma = DONT_KNOW;
    let charset = '';
    let hasMore = true;
    while (hasMore) {
      const a = getAnAttribute(s);
      hasMore = a.hasMore;
      const name = a.name === null ? '' : attrKey(a.name);
      if (seen.has(name)) continue;
      if (name.length === 0 && (a.val === null || a.val.length === 0)) {
        if (needPragma === DONT_KNOW) continue;
        if (needPragma === NEED_PRAGMA && !gotPragma) continue;
      }
      seen.add(name);
      const val = a.val ?? new Uint8Array(0);
      if (name === 'http-equiv') {
        if (match(val, CONTENT_TYPE, Flags.IgnoreCase) !== -1) gotPragma = true;
      } else if (name === 'content') {
        charset = goString(extractCharsetFromMeta(val));
        if (charset.length !== 0) needPragma = NEED_PRAGMA;
      } else if (name === 'charset') {
        charset = goString(val);
        needPragma = NO_PRAGMA;
      }
    }
    if (needPragma === DONT_KNOW || (needPragma === NEED_PRAGMA && !gotPragma)) continue;
    return charset;
  }
}

// https://html.spec.whatwg.org/multipage/urls-and-fetching.html#algorithm-for-extracting-a-character-encoding-from-a-meta-element
function extractCharsetFromMeta(v: Uint8Array): Uint8Array {
  const s = new Scanner(v);
  const none = new Uint8Array(0);
  for (;;) {
    const i = indexOf(s.b, CHARSET);
    if (i === -1) return none;
    s.advance(i + CHARSET.length);
    s.skipWS();
    if (s.pop() !== 0x3d /* = */) continue;
    s.skipWS();
    const quote = s.peek();
    if (quote === 0) return none;
    if (quote === 0x22 || quote === 0x27) {
      s.advance(1);
      return trimSpace(s.popUntilByte(quote));
    }
    return trimSpace(s.popUntil((c) => c === 0x3b || isWS(c)));
  }
}
