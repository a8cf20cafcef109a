// Detectors for text-based formats (children of text/plain and text/xml in the detection
// tree), reproducing mimetype v1.4.13's internal/magic/text.go, netpbm.go and friends.

import { fromBOM } from './charset.js';
import { TokArray, TokObject, parseJSON, type QueryName } from './json.js';
import { getAnAttribute, skipAComment } from './markup.js';
import {
  bytesEqual,
  bytesOf,
  contains,
  firstNonWS,
  Flags,
  hasPrefix,
  indexOf,
  isWS,
  match,
  Scanner,
  search,
  trimLWS,
} from './scan.js';

export type Detector = (raw: Uint8Array, limit: number) => boolean;

const sigs = (...s: string[]): Uint8Array[] => s.map(bytesOf);
const UTF8_BOM = Uint8Array.of(0xef, 0xbb, 0xbf);

/** Plain text: a BOM, or no binary-data byte (WHATWG mimesniff) in the first 4096 bytes. */
export function isText(raw: Uint8Array): boolean {
  if (fromBOM(raw) !== '') return true;
  const n = Math.min(raw.length, 4096);
  for (let i = 0; i < n; i++) {
    const b = raw[i]!;
    if (b <= 0x08 || b === 0x0b || (b >= 0x0e && b <= 0x1a) || (b >= 0x1c && b <= 0x1f)) return false;
  }
  return true;
}

/** Case-insensitive prefix (upper-case signature letters match b & 0xDF); needs one extra byte. */
function ciCheck(sig: Uint8Array, raw: Uint8Array): boolean {
  if (raw.length < sig.length + 1) return false;
  for (let i = 0; i < sig.length; i++) {
    const b = sig[i]!;
    let db = raw[i]!;
    if (b >= 0x41 && b <= 0x5a) db &= 0xdf;
    if (b !== db) return false;
  }
  return true;
}

function ciPrefix(raw: Uint8Array, list: Uint8Array[]): boolean {
  for (const s of list) if (ciCheck(s, raw)) return true;
  return false;
}

/** Like ciCheck, and the next byte must be whitespace or '>'. */
function markupCheck(sig: Uint8Array, raw: Uint8Array): boolean {
  if (!ciCheck(sig, raw)) return false;
  const db = raw[sig.length]!;
  return isWS(db) || db === 0x3e;
}

function markup(raw: Uint8Array, list: Uint8Array[]): boolean {
  let b = raw;
  if (hasPrefix(b, UTF8_BOM)) b = b.subarray(3);
  b = trimLWS(b);
  if (b.length === 0) return false;
  for (const s of list) if (markupCheck(s, b)) return true;
  return false;
}

interface XmlSig {
  local: Uint8Array;
  xmlns: Uint8Array;
}
const xs = (local: string, xmlns: string): XmlSig => ({ local: bytesOf(local), xmlns: bytesOf(xmlns) });

function xmlCheck(sig: XmlSig, raw: Uint8Array): boolean {
  raw = raw.subarray(0, Math.min(raw.length, 512));
  if (sig.local.length === 0) return indexOf(raw, sig.xmlns) > 0;
  if (sig.xmlns.length === 0) return indexOf(raw, sig.local) > 0;
  const li = indexOf(raw, sig.local);
  return li !== -1 && li < indexOf(raw, sig.xmlns);
}

function xml(list: XmlSig[]): Detector {
  return (raw) => {
    const b = trimLWS(raw);
    if (b.length === 0) return false;
    for (const s of list) if (xmlCheck(s, b)) return true;
    return false;
  };
}

/** "#!" then optional whitespace then one of the interpreters (first line only). */
function shebang(flags: number, list: Uint8Array[]): Detector {
  return (raw) => {
    const line = new Scanner(raw).line();
    if (line.length < 2 || line[0] !== 0x23 || line[1] !== 0x21) return false;
    const rest = trimLWS(line.subarray(2));
    for (const s of list) if (match(rest, s, flags) !== -1) return true;
    return false;
  };
}

const HTML_SIGS = sigs(
  '<!DOCTYPE HTML',
  '<HTML',
  '<HEAD',
  '<SCRIPT',
  '<IFRAME',
  '<H1',
  '<DIV',
  '<FONT',
  '<TABLE',
  '<A',
  '<STYLE',
  '<TITLE',
  '<B',
  '<BODY',
  '<BR',
  '<P',
  '<!--',
);
export const html: Detector = (raw) => markup(raw, HTML_SIGS);

const XML_SIGS = sigs('<?XML');
export const xmlDoc: Detector = (raw) => markup(raw, XML_SIGS);

export const owl2 = xml([xs('<Ontology', 'xmlns="http://www.w3.org/2002/07/owl#"')]);
export const rss = xml([xs('<rss', '')]);
export const atom = xml([xs('<feed', 'xmlns="http://www.w3.org/2005/Atom"')]);
export const kml = xml([
  xs('<kml', 'xmlns="http://www.opengis.net/kml/2.2"'),
  xs('<kml', 'xmlns="http://earth.google.com/kml/2.0"'),
  xs('<kml', 'xmlns="http://earth.google.com/kml/2.1"'),
  xs('<kml', 'xmlns="http://earth.google.com/kml/2.2"'),
]);
export const xliff = xml([xs('<xliff', 'xmlns="urn:oasis:names:tc:xliff:document:1.2"')]);
export const collada = xml([xs('<COLLADA', 'xmlns="http://www.collada.org/2005/11/COLLADASchema"')]);
export const gml = xml([
  xs('', 'xmlns:gml="http://www.opengis.net/gml"'),
  xs('', 'xmlns:gml="http://www.opengis.net/gml/3.2"'),
  xs('', 'xmlns:gml="http://www.opengis.net/gml/3.3/exr"'),
]);
export const gpx = xml([xs('<gpx', 'xmlns="http://www.topografix.com/GPX/1/1"')]);
export const tcx = xml([xs('<TrainingCenterDatabase', 'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"')]);
export const x3d = xml([xs('<X3D', 'xmlns:xsd="http://www.w3.org/2001/XMLSchema-instance"')]);
export const amf = xml([xs('<amf', '')]);
export const threemf = xml([xs('<model', 'xmlns="http://schemas.microsoft.com/3dmanufacturing/core/2015/02"')]);
export const xfdf = xml([xs('<xfdf', 'xmlns="http://ns.adobe.com/xfdf/"')]);

const VCARD = sigs('BEGIN:VCARD\n', 'BEGIN:VCARD\r\n');
export const vCard: Detector = (raw) => ciPrefix(raw, VCARD);
const VCALENDAR = sigs('BEGIN:VCALENDAR\n', 'BEGIN:VCALENDAR\r\n');
export const iCalendar: Detector = (raw) => ciPrefix(raw, VCALENDAR);

const PHP_PAGE = sigs('<?PHP', '<?\n', '<?\r', '<? ');
const phpScript = shebang(Flags.CompactWS, sigs('/usr/local/bin/php', '/usr/bin/php', '/usr/bin/env php', '/usr/bin/env -S php'));
export const php: Detector = (raw, limit) => ciPrefix(raw, PHP_PAGE) || phpScript(raw, limit);

export const js = shebang(
  Flags.CompactWS,
  sigs(
    '/bin/node',
    '/usr/bin/node',
    '/bin/nodejs',
    '/usr/bin/nodejs',
    '/usr/bin/env node',
    '/usr/bin/env -S node',
    '/usr/bin/env nodejs',
    '/usr/bin/env -S nodejs',
  ),
);
export const lua = shebang(
  Flags.CompactWS | Flags.FullWord,
  sigs('/usr/bin/lua', '/usr/local/bin/lua', '/usr/bin/env lua', '/usr/bin/env -S lua'),
);
export const perl = shebang(Flags.CompactWS | Flags.FullWord, sigs('/usr/bin/perl', '/usr/bin/env perl', '/usr/bin/env -S perl'));
export const python = shebang(
  Flags.CompactWS,
  sigs(
    '/usr/bin/python',
    '/usr/local/bin/python',
    '/usr/bin/env python',
    '/usr/bin/env -S python',
    '/usr/bin/python2',
    '/usr/local/bin/python2',
    '/usr/bin/env python2',
    '/usr/bin/env -S python2',
    '/usr/bin/python3',
    '/usr/local/bin/python3',
    '/usr/bin/env python3',
    '/usr/bin/env -S python3',
  ),
);
export const ruby = shebang(
  Flags.CompactWS,
  sigs('/usr/bin/ruby', '/usr/local/bin/ruby', '/usr/bin/env ruby', '/usr/bin/env -S ruby'),
);
export const tcl = shebang(
  Flags.CompactWS,
  sigs(
    '/usr/bin/tcl',
    '/usr/local/bin/tcl',
    '/usr/bin/env tcl',
    '/usr/bin/env -S tcl',
    '/usr/bin/tclsh',
    '/usr/local/bin/tclsh',
    '/usr/bin/env tclsh',
    '/usr/bin/env -S tclsh',
    '/usr/bin/wish',
    '/usr/local/bin/wish',
    '/usr/bin/env wish',
    '/usr/bin/env -S wish',
  ),
);
export const shell = shebang(
  Flags.CompactWS | Flags.FullWord,
  sigs(
    '/bin/sh',
    '/bin/bash',
    '/usr/local/bin/bash',
    '/usr/bin/env bash',
    '/usr/bin/env -S bash',
    '/bin/csh',
    '/usr/local/bin/csh',
    '/usr/bin/env csh',
    '/usr/bin/env -S csh',
    '/bin/dash',
    '/usr/local/bin/dash',
    '/usr/bin/env dash',
    '/usr/bin/env -S dash',
    '/bin/ksh',
    '/usr/local/bin/ksh',
    '/usr/bin/env ksh',
    '/usr/bin/env -S ksh',
    '/bin/tcsh',
    '/usr/local/bin/tcsh',
    '/usr/bin/env tcsh',
    '/usr/bin/env -S tcsh',
    '/bin/zsh',
    '/usr/local/bin/zsh',
    '/usr/bin/env zsh',
    '/usr/bin/env -S zsh',
  ),
);

const RTF = bytesOf('{\\rtf');
export const rtf: Detector = (raw) => hasPrefix(raw, RTF);

const DOCTYPE_HTML = bytesOf('<!DOCTYPE HTML');
const HTML_XMLNS = bytesOf('<HTML XMLNS=');
export const xhtml: Detector = (raw) => {
  const b = raw.subarray(0, Math.min(raw.length, 1024));
  const f = Flags.CompactWS | Flags.IgnoreCase;
  return search(b, DOCTYPE_HTML, f) !== -1 || search(b, HTML_XMLNS, f) !== -1;
};

function jsonHelper(raw: Uint8Array, limit: number, query: QueryName, wantArray: boolean): boolean {
  const c = firstNonWS(raw);
  if (!(c === 0x7b || (wantArray && c === 0x5b))) return false;
  const r = parseJSON(query, raw);
  if (!r.querySatisfied) return false;
  // The whole file was provided: it must all parse.
  if (limit === 0 || raw.length < limit) return r.parsed === raw.length;
  // Only a header was provided: any error must lie beyond its last byte.
  return r.inspected === raw.length && raw.length > 0;
}

export const json: Detector = (raw, limit) => jsonHelper(raw, limit, 'json', true);
export const geoJSON: Detector = (raw, limit) => jsonHelper(raw, limit, 'geo', false);
export const har: Detector = (raw, limit) => jsonHelper(raw, limit, 'har', false);
export const gltf: Detector = (raw, limit) => jsonHelper(raw, limit, 'gltf', false);

/** Newline-delimited JSON: every line is (possibly truncated) JSON, >1 lines, some object/array. */
export const ndJSON: Detector = (raw) => {
  let lines = 0;
  let objOrArr = 0;
  const s = new Scanner(raw);
  while (s.length !== 0) {
    const l = s.line();
    const r = parseJSON('json', l);
    if (l.length !== r.inspected) return false;
    if (r.firstToken === TokArray || r.firstToken === TokObject) objOrArr++;
    lines++;
  }
  return lines > 1 && objOrArr > 0;
};

const SVG_OPEN = bytesOf('<svg');
const XMLNS = bytesOf('xmlns');
const SVG_NS = bytesOf('http://www.w3.org/2000/svg');
const XML_OPEN = bytesOf('<?xml');
const VERSION = bytesOf('version');

function svgWithoutXMLDeclaration(raw: Uint8Array): boolean {
  const s = new Scanner(raw);
  s.skipWS();
  while (skipAComment(s)) {
    /* skip all leading comments */
  }
  if (!hasPrefix(s.b, SVG_OPEN)) return false;
  for (;;) {
    const a = getAnAttribute(s);
    if (a.name !== null && a.val !== null && bytesEqual(a.name, XMLNS) && bytesEqual(a.val, SVG_NS)) return true;
    if (!a.hasMore) return false;
  }
}

function svgWithXMLDeclaration(raw: Uint8Array): boolean {
  const s = new Scanner(raw);
  s.skipWS();
  if (!hasPrefix(s.b, XML_OPEN)) return false;
  let hasVersion = false;
  for (;;) {
    const a = getAnAttribute(s);
    if (a.name !== null && bytesEqual(a.name, VERSION)) {
      hasVersion = true;
      break;
    }
    if (!a.hasMore) break;
  }
  const rest = s.b.length > 4096 ? s.b.subarray(0, 4096) : s.b;
  return hasVersion && contains(rest, SVG_OPEN);
}

export const svg: Detector = (raw) => svgWithoutXMLDeclaration(raw) || svgWithXMLDeclaration(raw);

const ARROW = bytesOf(' --> ');

/** Go time.Parse("15:04:05,000", s) as nanoseconds since midnight, or -1 on error. */
function parseSrtTime(s: Uint8Array): number {
  const dig = (i: number): boolean => i < s.length && s[i]! >= 0x30 && s[i]! <= 0x39;
  const val = (i: number): number => s[i]! - 0x30;
  let i = 0;
  // "15": hour, one or two digits.
  if (!dig(i)) return -1;
  let hour = val(i++);
  if (dig(i)) hour = hour * 10 + val(i++);
  if (hour >= 24) return -1;
  if (s[i++] !== 0x3a) return -1;
  // "04" and "05": exactly two digits.
  if (!dig(i) || !dig(i + 1)) return -1;
  const min = val(i) * 10 + val(i + 1);
  i += 2;
  if (min >= 60) return -1;
  if (s[i++] !== 0x3a) return -1;
  if (!dig(i) || !dig(i + 1)) return -1;
  const sec = val(i) * 10 + val(i + 1);
  i += 2;
  if (sec >= 60) return -1;
  // ",000": a comma or period then exactly three bytes parsed by atoi (optional sign).
  if (s.length - i < 4) return -1;
  if (s[i] !== 0x2c && s[i] !== 0x2e) return -1;
  let j = i + 1;
  const end = i + 4;
  let neg = false;
  if (s[j] === 0x2d || s[j] === 0x2b) {
    neg = s[j] === 0x2d;
    j++;
  }
  let frac = 0;
  for (; j < end; j++) {
    if (!dig(j)) return -1;
    frac = frac * 10 + val(j);
  }
  if (neg && frac !== 0) return -1;
  if (end !== s.length) return -1; // extra text
  return ((hour * 60 + min) * 60 + sec) * 1000 + frac;
}

export const srt: Detector = (raw) => {
  const s = new Scanner(raw);
  let line = s.line();
  if (line.length !== 1 || line[0] !== 0x31) return false;
  line = s.line();
  if (line.length !== 29) return false;
  if (line.indexOf(0x2e) !== -1) return false;
  const i = indexOf(line, ARROW);
  if (i === -1) return false;
  const t0 = parseSrtTime(line.subarray(0, i));
  if (t0 < 0) return false;
  const t1 = parseSrtTime(line.subarray(i + ARROW.length));
  if (t1 < 0) return false;
  if (t0 > t1) return false;
  return s.line().length !== 0;
};

const VTT_PREFIXES = [0x0a, 0x0d, 0x20, 0x09].flatMap((c) => [
  Uint8Array.of(0xef, 0xbb, 0xbf, 0x57, 0x45, 0x42, 0x56, 0x54, 0x54, c),
  Uint8Array.of(0x57, 0x45, 0x42, 0x56, 0x54, 0x54, c),
]);
const VTT_EXACT = [Uint8Array.of(0xef, 0xbb, 0xbf, 0x57, 0x45, 0x42, 0x56, 0x54, 0x54), bytesOf('WEBVTT')];
export const vtt: Detector = (raw) =>
  VTT_PREFIXES.some((p) => hasPrefix(raw, p)) || VTT_EXACT.some((p) => bytesEqual(raw, p));

const RFC822_HINTS: [Uint8Array, number][] = (
  [
    ['From: ', 0],
    ['To: ', 0],
    ['CC: ', Flags.IgnoreCase],
    ['Date: ', 0],
    ['Subject: ', 0],
    ['Received: ', 0],
    ['Relay-Version: ', 0],
    ['#! rnews', 0],
    ['N#! rnews', 0],
    ['Forward to', 0],
    ['Pipe to', 0],
    ['DELIVERED-TO: ', Flags.IgnoreCase],
    ['RETURN-PATH: ', Flags.IgnoreCase],
    ['Content-Type: ', 0],
    ['Content-Transfer-Encoding: ', 0],
  ] as [string, number][]
).map(([h, f]) => [bytesOf(h), f]);

function lineHasRFC822Hint(line: Uint8Array): boolean {
  for (const [h, f] of RFC822_HINTS) if (match(line, h, f) > -1) return true;
  return false;
}

export const rfc822: Detector = (raw) => {
  const s = new Scanner(raw);
  if (!lineHasRFC822Hint(s.line())) return false;
  for (let i = 0; i < 20; i++) if (lineHasRFC822Hint(s.line())) return true;
  return false;
};

const WARC = sigs('WARC/1.0', 'WARC/1.1');
export const warc: Detector = (raw) => WARC.some((p) => hasPrefix(raw, p));

// ---- Netpbm ----

/** strconv.ParseInt(s, 10, 64) succeeded with a value > 0. */
function positiveInt64(s: Uint8Array): boolean {
  let i = 0;
  let neg = false;
  if (s[0] === 0x2b || s[0] === 0x2d) {
    neg = s[0] === 0x2d;
    i = 1;
  }
  if (i >= s.length) return false;
  let v = 0n;
  for (; i < s.length; i++) {
    const c = s[i]!;
    if (c < 0x30 || c > 0x39) return false;
    v = v * 10n + BigInt(c - 0x30);
  }
  if (neg) return false; // a valid negative number or zero is never > 0
  return v > 0n && v <= 0x7fffffffffffffffn;
}

function netp(raw: Uint8Array, prefixes: Uint8Array[]): boolean {
  let found: Uint8Array | null = null;
  for (const p of prefixes) if (hasPrefix(raw, p)) found = p;
  if (found === null) return false;
  const s = new Scanner(raw);
  s.advance(found.length);
  let l = new Scanner(new Uint8Array(0));
  for (let i = 0; i < 128; i++) {
    l = new Scanner(s.line());
    if (l.peek() === 0x23) continue;
    l.skipWS();
    if (s.length === 0 || l.length > 0) break;
  }
  const width = l.popUntil(isWS);
  l.skipWS();
  const height = l.popUntil(isWS);
  return positiveInt64(width) && positiveInt64(height);
}

export const netPBM: Detector = (raw) => netp(raw, sigs('P1\n', 'P4\n'));
export const netPGM: Detector = (raw) => netp(raw, sigs('P2\n', 'P5\n'));
export const netPPM: Detector = (raw) => netp(raw, sigs('P3\n', 'P6\n'));

const P7 = bytesOf('P7\n');
const PAM_KEYS = sigs('TUPLTYPE', 'WIDTH ', 'HEIGHT ', 'DEPTH ', 'MAXVAL ', 'ENDHDR');
export const netPAM: Detector = (raw) => {
  if (!hasPrefix(raw, P7)) return false;
  let w = false;
  let h = false;
  let d = false;
  let m = false;
  const s = new Scanner(raw);
  for (let i = 0; i < 128; i++) {
    const l = s.line();
    if (l.length === 0 || l[0] === 0x23) {
      if (s.length === 0) return false;
      continue;
    }
    if (hasPrefix(l, PAM_KEYS[0]!)) continue;
    if (hasPrefix(l, PAM_KEYS[1]!)) w = true;
    else if (hasPrefix(l, PAM_KEYS[2]!)) h = true;
    else if (hasPrefix(l, PAM_KEYS[3]!)) d = true;
    else if (hasPrefix(l, PAM_KEYS[4]!)) m = true;
    else if (hasPrefix(l, PAM_KEYS[5]!)) return w && h && d && m;
  }
  return false;
};

// ---- FrameMaker (a child of the root, but text-like) ----

const MAKER_FILE = bytesOf('<MakerFile');
const MAKER_DICT = bytesOf('<MakerDictionary');
const BOOKFILE = bytesOf('<BOOKFILE');
export const frameMaker: Detector = (raw) => {
  if (!hasPrefix(raw, MAKER_FILE) && !hasPrefix(raw, MAKER_DICT) && match(raw, BOOKFILE, Flags.IgnoreCase) === -1) return false;
  return raw.subarray(0, Math.min(raw.length, 512)).indexOf(0) !== -1;
};
