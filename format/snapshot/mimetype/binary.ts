// Signature detectors for binary formats (archives, images, audio/video, fonts, executables,
// documents, zip- and OLE-based containers), reproducing mimetype v1.4.13's internal/magic.

import { isText, type Detector } from './text.js';
import { bytesEqual, bytesOf, contains, hasAt, hasPrefix, indexOf, Scanner, u16be, u16le, u32be, u32le } from './scan.js';

// Signatures are written as Latin-1 strings and converted once (memoised).
const sigCache = new Map<string, Uint8Array>();
const b = (s: string): Uint8Array => {
  let v = sigCache.get(s);
  if (v === undefined) {
    v = bytesOf(s);
    sigCache.set(s, v);
  }
  return v;
};
// Signatures that detectors compare against, converted once here rather than looked up per call.
const SIG_ISC = b('ISc(');
const SIG_CR24 = b('Cr24');
const SIG_N070707 = b('070707');
const SIG_N070701 = b('070701');
const SIG_N070702 = b('070702');
const SIG_WPC = b('\xffWPC');
const SIG_PDF = b('%PDF-');
const SIG_AT_TFORM = b('AT&TFORM');
const SIG_BEGIN_PKCS7 = b('-----BEGIN PKCS7');
const SIG_JP = b('jP  ');
const SIG_JP2 = b('jP2 ');
const SIG_RIFF = b('RIFF');
const SIG_WEBP = b('WEBP');
const SIG_ID3 = b('ID3');
const SIG_WAVE = b('WAVE');
const SIG_FORM = b('FORM');
const SIG_AIFF = b('AIFF');
const SIG_QLCM = b('QLCM');
const SIG_EBML = b('\x1A\x45\xDF\xA3');
const SIG_EBML_DOCTYPE = b('\x42\x82');
const SIG_AVI_LIST = b('AVI LIST');
const SIG_FTYPQT = b('ftypqt  ');
const SIG_FTYPMOOV = b('ftypmoov');
const SIG_WIDE = b('\x00\x00\x00\x08wide');
const SIG_FTYP = b('ftyp');
const SIG_OTTO = b('OTTO\x00');
const SIG_CFF = b('CFF ');
const SIG_TTCF = b('ttcf');
const SIG_DICM = b('DICM');
const SIG_N4500 = b('4500');
const SIG_TZIF = b('TZif');
const SIG_GRIB = b('GRIB');
const SIG_BUFR = b('BUFR');
/** Signature detectors that can only match input starting with one of these bytes. */
const leads = new WeakMap<Detector, ReadonlySet<number>>();
/** The bytes input must start with for `d` to match it, where that is known. */
export const leadingBytes = (d: Detector): ReadonlySet<number> | undefined => leads.get(d);

const prefix = (...sigs: (string | Uint8Array)[]): Detector => {
  const list = sigs.map((s) => (typeof s === 'string' ? b(s) : s));
  const d: Detector = (raw) => list.some((s) => hasPrefix(raw, s));
  if (list.every((s) => s.length > 0)) leads.set(d, new Set(list.map((s) => s[0]!)));
  return d;
};
const at = (off: number, sig: string): Detector => {
  const s = b(sig);
  const d: Detector = (raw) => hasAt(raw, s, off);
  if (off === 0 && s.length > 0) leads.set(d, new Set([s[0]!]));
  return d;
};
const eqAt = (raw: Uint8Array, off: number, sig: Uint8Array): boolean => hasPrefix(raw, sig, off);

// ---- archives & compression ----

export const sevenZ = prefix('\x37\x7A\xBC\xAF\x27\x1C');
export const gzip = prefix('\x1f\x8b');
export const fits = prefix('SIMPLE  =                    T');
export const xar = prefix('xar!');
export const bz2 = prefix('BZh');
export const ar = prefix('!<arch>');
export const deb = at(8, 'debian-binary');
export const warc = prefix('WARC/1.0', 'WARC/1.1');
export const cab = prefix('MSCF\x00\x00\x00\x00');
export const xz = prefix('\xFD7zXZ\x00');
export const lzip = prefix('LZIP');
export const rpm = prefix('\xed\xab\xee\xdb', 'drpm');
export const rar = prefix('Rar!\x1A\x07\x00', 'Rar!\x1A\x07\x01\x00');
export const installShieldCab: Detector = (raw) =>
  raw.length > 7 && eqAt(raw, 0, SIG_ISC) && raw[6] === 0 && (raw[7] === 1 || raw[7] === 2 || raw[7] === 4);
export const zstd: Detector = (raw) => {
  if (raw.length < 4) return false;
  const sig = u32le(raw, 0);
  return (sig >= 0xfd2fb522 && sig <= 0xfd2fb528) || (sig >= 0x184d2a50 && sig <= 0x184d2a5f);
};
export const crx: Detector = (raw, limit) => {
  if (raw.length < 16 || !hasPrefix(raw, SIG_CR24)) return false;
  const zipOffset = 16 + u32le(raw, 8) + u32le(raw, 12);
  if (raw.length < zipOffset) return false;
  return zip(raw.subarray(zipOffset), limit);
};
export const cpio: Detector = (raw) =>
  raw.length >= 6 && (u16le(raw, 0) === 0o70707 || hasPrefix(raw, SIG_N070707) || hasPrefix(raw, SIG_N070701) || hasPrefix(raw, SIG_N070702));

const GPKG = b('/gpkg-1\x00');
export const tar: Detector = (raw) => {
  if (raw.length < 512) return false;
  const h = raw.subarray(0, 512);
  if (contains(h.subarray(0, 100), GPKG)) return false;
  const recsum = tarParseOctal(h.subarray(148, 156));
  if (recsum === -1) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < 512; i++) {
    const c = i >= 148 && i < 156 ? 0x20 : h[i]!;
    unsigned += c;
    signed += c >= 0x80 ? c - 256 : c;
  }
  return recsum === unsigned || recsum === signed;
};
function tarParseOctal(f: Uint8Array): number {
  let s = 0;
  let e = f.length;
  while (s < e && (f[s] === 0x20 || f[s] === 0)) s++;
  while (e > s && (f[e - 1] === 0x20 || f[e - 1] === 0)) e--;
  if (s === e) return -1;
  let ret = 0;
  for (let i = s; i < e; i++) {
    const c = f[i]!;
    if (c === 0) break;
    if (c < 0x30 || c > 0x37) return -1;
    ret = ret * 8 + (c - 0x30);
  }
  return ret;
}
export const zlib: Detector = (raw) => raw.length > 1 && raw[0] === 0x78 && u16be(raw, 0) % 31 === 0 && !isText(raw);

// ---- zip-based ----

export const zip: Detector = (raw) =>
  raw.length > 3 &&
  raw[0] === 0x50 &&
  raw[1] === 0x4b &&
  (raw[2] === 0x3 || raw[2] === 0x5 || raw[2] === 0x7) &&
  (raw[3] === 0x4 || raw[3] === 0x6 || raw[3] === 0x8);

const PK34 = b('PK\x03\x04');

/** Names of successive local file headers, found by a linear search for "PK\3\4". */
class ZipIterator {
  private readonly s: Scanner;
  constructor(raw: Uint8Array) {
    this.s = new Scanner(raw);
  }
  next(): Uint8Array | null {
    const s = this.s;
    const n = indexOf(s.b, PK34);
    if (n === -1) return null;
    s.advance(n);
    if (!s.advance(0x1a)) return null;
    const l = s.uint16();
    if (l === undefined) return null;
    if (!s.advance(2)) return null;
    if (s.length < l) return null;
    return s.b.subarray(0, l);
  }
}

interface ZipEntry {
  name: Uint8Array;
  dir: boolean;
}
const entries = (...names: string[]): ZipEntry[] => names.map((n) => ({ name: b(n), dir: false }));
const dirEntry = (n: string): ZipEntry[] => [{ name: b(n), dir: true }];

function entryMatch(list: ZipEntry[], file: Uint8Array): boolean {
  for (const e of list) {
    if (e.dir ? hasPrefix(file, e.name) : bytesEqual(file, e.name)) return true;
  }
  return false;
}

function zipHas(raw: Uint8Array, list: ZipEntry[], stopAfter: number): boolean {
  const it = new ZipIterator(raw);
  for (let i = 0; i < stopAfter; i++) {
    const f = it.next();
    if (f === null || f.length === 0) break;
    if (entryMatch(list, f)) return true;
  }
  return false;
}

const OOXML_FIRST = ['_rels/', 'docProps/', 'customXml/', '[trash]/'].map(b);
const CONTENT_TYPES = b('[Content_Types].xml');

/** zipHas, but the first entry must be one an Office Open XML package starts with. */
function msoxml(raw: Uint8Array, list: ZipEntry[], stopAfter: number): boolean {
  const it = new ZipIterator(raw);
  for (let i = 0; i < stopAfter; i++) {
    const f = it.next();
    if (f === null || f.length === 0) break;
    if (entryMatch(list, f)) return true;
    if (i === 0 && !bytesEqual(f, CONTENT_TYPES) && !OOXML_FIRST.some((p) => hasPrefix(f, p))) return false;
  }
  return false;
}

export const xlsx: Detector = (raw) => msoxml(raw, dirEntry('xl/'), 100);
export const docx: Detector = (raw) => msoxml(raw, dirEntry('word/'), 100);
export const pptx: Detector = (raw) => msoxml(raw, dirEntry('ppt/'), 100);
export const visio: Detector = (raw) => msoxml(raw, dirEntry('visio/'), 100);

const mimetypeAt30 = (m: string): Detector => at(30, 'mimetype' + m);
export const odt = mimetypeAt30('application/vnd.oasis.opendocument.text');
export const ott = mimetypeAt30('application/vnd.oasis.opendocument.text-template');
export const ods = mimetypeAt30('application/vnd.oasis.opendocument.spreadsheet');
export const ots = mimetypeAt30('application/vnd.oasis.opendocument.spreadsheet-template');
export const odp = mimetypeAt30('application/vnd.oasis.opendocument.presentation');
export const otp = mimetypeAt30('application/vnd.oasis.opendocument.presentation-template');
export const odg = mimetypeAt30('application/vnd.oasis.opendocument.graphics');
export const otg = mimetypeAt30('application/vnd.oasis.opendocument.graphics-template');
export const odf = mimetypeAt30('application/vnd.oasis.opendocument.formula');
export const odc = mimetypeAt30('application/vnd.oasis.opendocument.chart');
export const epub = mimetypeAt30('application/epub+zip');
export const sxc = mimetypeAt30('application/vnd.sun.xml.calc');

/** An executable jar: the 0xCAFE extra field in the first entry (file's "(26.s+30) leshort"). */
function executableJar(raw: Uint8Array): boolean {
  const s = new Scanner(raw);
  s.advance(0x1a); // a failed advance leaves the position unchanged, as in the library
  const off = s.uint16();
  if (off === undefined) return false;
  s.advance(off + 2);
  return s.uint16() === 0xcafe;
}
const JAR_FIRST = entries('META-INF/', 'META-INF/MANIFEST.MF');
export const jar: Detector = (raw) => executableJar(raw) || zipHas(raw, JAR_FIRST, 1);
const KMZ = entries('doc.kml');
export const kmz: Detector = (raw) => zipHas(raw, KMZ, 100);
const APK = entries(
  'AndroidManifest.xml',
  'META-INF/com/android/build/gradle/app-metadata.properties',
  'classes.dex',
  'resources.arsc',
  'res/drawable',
);
export const apk: Detector = (raw) => zipHas(raw, APK, 100);

// ---- OLE compound files ----

export const ole = prefix('\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1');

/** Whether the root storage object's CLSID starts with `clsid`. */
function matchOleClsid(raw: Uint8Array, clsid: Uint8Array): boolean {
  if (raw.length < 512) return false;
  const sectorLength = raw[26] === 0x04 && raw[27] === 0x00 ? 4096 : 512;
  const firstSecID = u32le(raw, 48);
  const clsidOffset = sectorLength * (1 + firstSecID) + 80;
  if (raw.length <= clsidOffset + 16) return false;
  return hasPrefix(raw, clsid, clsidOffset);
}
const clsid = (...bytes: number[]): Uint8Array => Uint8Array.from(bytes);
const GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46];

export const doc: Detector = (raw) =>
  [0x06, 0x00, 0x07].some((first) => matchOleClsid(raw, clsid(first, 0x09, 0x02, ...GUID_TAIL)));

const POWERPOINT_DOCUMENT = b('P\x00o\x00w\x00e\x00r\x00P\x00o\x00i\x00n\x00t\x00 D\x00o\x00c\x00u\x00m\x00e\x00n\x00t');
export const ppt: Detector = (raw) => {
  if (
    matchOleClsid(raw, clsid(0x10, 0x8d, 0x81, 0x64, 0x9b, 0x4f, 0xcf, 0x11, 0x86, 0xea, 0x00, 0xaa, 0x00, 0xb9, 0x29, 0xe8)) ||
    matchOleClsid(raw, clsid(0x70, 0xae, 0x7b, 0xea, 0x3b, 0xfb, 0xcd, 0x11, 0xa9, 0x03, 0x00, 0xaa, 0x00, 0x51, 0x0e, 0xa3))
  ) {
    return true;
  }
  const lin = raw.length;
  if (lin < 520) return false;
  for (const h of [clsid(0xa0, 0x46, 0x1d, 0xf0), clsid(0x00, 0x6e, 0x1e, 0xf0), clsid(0x0f, 0x00, 0xe8, 0x03)]) {
    if (hasPrefix(raw, h, 512)) return true;
  }
  if (hasPrefix(raw, clsid(0xfd, 0xff, 0xff, 0xff), 512) && raw[518] === 0 && raw[519] === 0) return true;
  return lin > 1152 && contains(raw.subarray(1152, Math.min(4096, lin)), POWERPOINT_DOCUMENT);
};

const WKS_SS_WORKBOOK = b('W\x00k\x00s\x00S\x00S\x00W\x00o\x00r\x00k\x00B\x00o\x00o\x00k');
const XLS_SUB_HEADERS = [
  clsid(0x09, 0x08, 0x10, 0x00, 0x00, 0x06, 0x05, 0x00),
  ...[0x10, 0x1f, 0x22, 0x23, 0x28, 0x29].map((x) => clsid(0xfd, 0xff, 0xff, 0xff, x)),
];
export const xls: Detector = (raw) => {
  if (
    matchOleClsid(raw, clsid(0x10, 0x08, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00)) ||
    matchOleClsid(raw, clsid(0x20, 0x08, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00))
  ) {
    return true;
  }
  const lin = raw.length;
  if (lin < 520) return false;
  for (const h of XLS_SUB_HEADERS) if (hasPrefix(raw, h, 512)) return true;
  return lin > 1152 && contains(raw.subarray(1152, Math.min(4096, lin)), WKS_SS_WORKBOOK);
};
export const pub: Detector = (raw) => matchOleClsid(raw, clsid(0x01, 0x12, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0, 0, 0, 0, 0, 0x46));
export const msg: Detector = (raw) => matchOleClsid(raw, clsid(0x0b, 0x0d, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0, 0, 0, 0, 0, 0, 0x46));
export const msi: Detector = (raw) => matchOleClsid(raw, clsid(0x84, 0x10, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0, 0, 0, 0, 0, 0, 0x46));
export const oneNote = prefix(clsid(0xe4, 0x52, 0x5c, 0x7b, 0x8c, 0xd8, 0xa7, 0x4d, 0xae, 0xb1, 0x53, 0x78, 0xd0, 0x29, 0x96, 0xd3));
export const wpd: Detector = (raw) => raw.length >= 10 && hasPrefix(raw, SIG_WPC) && raw[8] === 1 && raw[9] === 10;

// ---- documents ----

export const pdf: Detector = (raw) => contains(raw.subarray(0, Math.min(raw.length, 1024)), SIG_PDF);
export const fdf = prefix('%FDF');
export const mobi = at(60, 'BOOKMOBI');
export const lit = prefix('ITOLITLS');
export const djvu: Detector = (raw) =>
  raw.length >= 12 &&
  hasPrefix(raw, SIG_AT_TFORM) &&
  ['DJVM', 'DJVU', 'DJVI', 'THUM'].some((s) => hasPrefix(raw, b(s), 12));
const P7S_HEADERS = [0x80, 0x81, 0x82, 0x83, 0x84].map((x) => clsid(0x30, x));
const SIGNED_DATA = clsid(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07);
export const p7s: Detector = (raw) => {
  if (hasPrefix(raw, SIG_BEGIN_PKCS7)) return true;
  if (raw.length < 20) return false;
  for (let i = 0; i < P7S_HEADERS.length; i++) {
    if (hasPrefix(raw, P7S_HEADERS[i]!) && hasPrefix(raw, SIGNED_DATA, i + 2)) return true;
  }
  return false;
};
export const lotus123: Detector = (raw) => {
  if (raw.length <= 20) return false;
  const version = u32be(raw, 0);
  if (version === 0x00000200) return raw[6] !== 0 && raw[7] === 0;
  return version === 0x00001a00 && raw[20]! > 0 && raw[20]! < 32;
};
export const chm = prefix('ITSF\x03\x00\x00\x00\x60\x00\x00\x00');
export const inf = prefix('HSP\x01\x9b\x00');
export const hlp = prefix('HSP\x10\x9b\x00');
export const ps = prefix('%!PS-Adobe-');

// ---- images ----

export const png = prefix('\x89PNG\r\n\x1a\n');
export const apng = at(37, 'acTL');
export const jpg = prefix('\xFF\xD8\xFF');
function jpeg2k(raw: Uint8Array, sig: string): boolean {
  if (raw.length < 24) return false;
  if (!eqAt(raw, 4, SIG_JP) && !eqAt(raw, 4, SIG_JP2)) return false;
  return eqAt(raw, 20, b(sig));
}
export const jp2: Detector = (raw) => jpeg2k(raw, 'jp2 ');
export const jpx: Detector = (raw) => jpeg2k(raw, 'jpx ');
export const jpm: Detector = (raw) => jpeg2k(raw, 'jpm ');
export const gif = prefix('GIF87a', 'GIF89a');
const BMP_FORMATS = [48, 24, 16, 64, 52, 56, 40, 124, 108];
export const bmp: Detector = (raw) => raw.length >= 18 && raw[0] === 0x42 && raw[1] === 0x4d && BMP_FORMATS.includes(u32le(raw, 14));
export const psd = prefix('8BPS');
export const ico = prefix('\x00\x00\x01\x00', '\x00\x00\x02\x00');
export const icns = prefix('icns');
export const tiff = prefix('II*\x00', 'MM\x00*');
export const bpg = prefix('BPG\xFB');
export const xcf = prefix('gimp xcf');
export const pat = at(20, 'GPAT');
export const gbr = at(20, 'GIMP');
export const hdr = prefix('#?RADIANCE\n');
export const xpm = prefix('/* XPM */');
export const jxs = prefix('\x00\x00\x00\x0CJXS \x0D\x0A\x87\x0A');
export const jxr = prefix('II\xBC\x01');
export const webp: Detector = (raw) => raw.length > 12 && eqAt(raw, 0, SIG_RIFF) && eqAt(raw, 8, SIG_WEBP);
const DWG_VERSIONS = ['1.40', '1.50', '2.10', '1002', '1003', '1004', '1006', '1009', '1012', '1014', '1015', '1018', '1021', '1024', '1032'].map(b);
export const dwg: Detector = (raw) =>
  raw.length >= 6 && raw[0] === 0x41 && raw[1] === 0x43 && DWG_VERSIONS.some((v) => eqAt(raw, 2, v));
export const jxl = prefix('\xFF\x0A', '\x00\x00\x00\x0cJXL\x20\x0d\x0a\x87\x0a');
export const dxf = prefix('  0\x0ASECTION\x0A', '  0\x0D\x0ASECTION\x0D\x0A', '0\x0ASECTION\x0A', '0\x0D\x0ASECTION\x0D\x0A');

// ---- audio ----

export const flac = prefix('fLaC\x00\x00\x00\x22');
export const midi = prefix('MThd');
export const ape = prefix('MAC \x96\x0F\x00\x00\x34\x00\x00\x00\x18\x00\x00\x00\x90\xE3');
export const musePack = prefix('MPCK');
export const au = prefix('.snd');
export const amr = prefix('#!AMR');
export const voc = prefix('Creative Voice File');
export const m3u = prefix('#EXTM3U\n', '#EXTM3U\r\n');
export const aac: Detector = (raw) => raw.length > 1 && raw[0] === 0xff && (raw[1] === 0xf1 || raw[1] === 0xf9);
export const mp3: Detector = (raw) => {
  if (raw.length < 3) return false;
  if (hasPrefix(raw, SIG_ID3)) return true;
  const v = u16be(raw, 0) & 0xfffe;
  return v === 0xfffa || v === 0xfff2 || v === 0xffe2;
};
export const wav: Detector = (raw) => raw.length > 12 && eqAt(raw, 0, SIG_RIFF) && eqAt(raw, 8, SIG_WAVE);
export const aiff: Detector = (raw) => raw.length > 12 && eqAt(raw, 0, SIG_FORM) && eqAt(raw, 8, SIG_AIFF);
export const qcp: Detector = (raw) => raw.length > 12 && eqAt(raw, 0, SIG_RIFF) && eqAt(raw, 8, SIG_QLCM);
export const ogg = prefix('OggS\x00');
export const oggAudio: Detector = (raw) =>
  raw.length >= 37 && ['\x7fFLAC', '\x01vorbis', 'OpusHead', 'Speex   '].some((s) => hasPrefix(raw, b(s), 28));
export const oggVideo: Detector = (raw) =>
  raw.length >= 37 && ['\x80theora', 'fishead\x00', '\x01video\x00\x00\x00'].some((s) => hasPrefix(raw, b(s), 28));

// ---- video ----

export const flv = prefix('FLV\x01');
export const asf = prefix(clsid(0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11, 0xa6, 0xd9, 0x00, 0xaa, 0x00, 0x62, 0xce, 0x6c));
export const rmvb = prefix('.RMF');
function matroska(raw: Uint8Array, docType: string): boolean {
  if (!hasPrefix(raw, SIG_EBML)) return false;
  const lenIn = raw.length;
  let ind = indexOf(raw.subarray(0, Math.min(lenIn, 4096)), SIG_EBML_DOCTYPE);
  if (ind > 0 && lenIn > ind + 2) {
    ind += 2;
    // Width of the EBML variable-size integer that follows.
    let mask = 128;
    let n = 1;
    while (n < 8 && (raw[ind]! & mask) === 0) {
      mask >>= 1;
      n++;
    }
    if (lenIn > ind + n) return hasPrefix(raw, b(docType), ind + n);
  }
  return false;
}
export const webM: Detector = (raw) => matroska(raw, 'webm');
export const mkv: Detector = (raw) => matroska(raw, 'matroska');
export const mpeg: Detector = (raw) => raw.length > 3 && raw[0] === 0 && raw[1] === 0 && raw[2] === 1 && raw[3]! >= 0xb0 && raw[3]! <= 0xbf;
export const avi: Detector = (raw) => raw.length > 16 && eqAt(raw, 0, SIG_RIFF) && eqAt(raw, 8, SIG_AVI_LIST);

const QT_ATOMS = ['moov\x00', 'mdat\x00', 'free\x00', 'skip\x00', 'pnot\x00'].map(b);
export const quickTime: Detector = (raw) => {
  if (raw.length < 12) return false;
  if (eqAt(raw, 4, SIG_FTYPQT) || eqAt(raw, 4, SIG_FTYPMOOV)) return raw[0] === 0;
  if (QT_ATOMS.some((a) => eqAt(raw, 4, a))) return true;
  return eqAt(raw, 0, SIG_WIDE);
};
export const mp4: Detector = (raw) => raw.length >= 12 && raw[0] === 0 && eqAt(raw, 4, SIG_FTYP);
const ftyp = (...brands: string[]): Detector => {
  const list = brands.map(b);
  return (raw) => raw.length >= 12 && list.some((s) => eqAt(raw, 8, s));
};
export const avif = ftyp('avif', 'avis');
export const threeGP = ftyp('3gp1', '3gp2', '3gp3', '3gp4', '3gp5', '3gp6', '3gp7', '3gs7', '3ge6', '3ge7', '3gg6');
export const threeG2 = ftyp('3g24', '3g25', '3g26', '3g2a', '3g2b', '3g2c', 'KDDI');
export const aMp4 = ftyp('F4A ', 'F4B ', 'M4B ', 'M4P ', 'MSNV', 'NDAS');
export const mqv = ftyp('mqt ');
export const m4a = ftyp('M4A ');
export const m4v = ftyp('M4V ', 'M4VH', 'M4VP');
export const heic = ftyp('heic', 'heix');
export const heicSeq = ftyp('hevc', 'hevx');
export const heif = ftyp('mif1', 'heim', 'heis', 'avic');
export const heifSeq = ftyp('msf1', 'hevm', 'hevs', 'avcs');
export const mj2 = ftyp('mj2s', 'mjp2', 'MFSM', 'MGSV');
export const dvb = ftyp(
  'dby1', 'dsms', 'dts1', 'dts2', 'dts3', 'dxo ', 'dmb1', 'dmpf', 'drc1',
  'dv1a', 'dv1b', 'dv2a', 'dv2b', 'dv3a', 'dv3b', 'dvr1', 'dvt1', 'emsg',
);

// ---- fonts ----

export const woff = prefix('wOFF');
export const woff2 = prefix('wOF2');
export const otf: Detector = (raw) => raw.length > 48 && hasPrefix(raw, SIG_OTTO) && contains(raw.subarray(12, 48), SIG_CFF);
const SFNT_TABLES = new Set(
  [
    'acnt', 'ankr', 'avar', 'bdat', 'bhed', 'bloc', 'bsln', 'cmap', 'cvar', 'cvt ', 'EBSC', 'fdsc', 'feat', 'fmtx',
    'fond', 'fpgm', 'fvar', 'gasp', 'gcid', 'glyf', 'gvar', 'hdmx', 'head', 'hhea', 'hmtx', 'hvgl', 'hvpm', 'just',
    'kern', 'kerx', 'lcar', 'loca', 'ltag', 'maxp', 'meta', 'mort', 'morx', 'name', 'opbd', 'OS/2',
  ].map((t) => u32be(b(t), 0)),
);
const SFNT_VERSION = clsid(0x00, 0x01, 0x00, 0x00);
export const ttf: Detector = (raw) =>
  hasPrefix(raw, SFNT_VERSION) && raw.length >= 16 && u16be(raw, 4) < 49 && SFNT_TABLES.has(u32be(raw, 12));
export const eot: Detector = (raw) =>
  raw.length > 35 &&
  raw[34] === 0x4c &&
  raw[35] === 0x50 &&
  [clsid(0x02, 0x00, 0x01), clsid(0x01, 0x00, 0x00), clsid(0x02, 0x00, 0x02)].some((v) => eqAt(raw, 8, v));
export const ttc: Detector = (raw) =>
  raw.length > 7 && hasPrefix(raw, SIG_TTCF) && (eqAt(raw, 4, clsid(0, 1, 0, 0)) || eqAt(raw, 4, clsid(0, 2, 0, 0)));

// ---- executables & misc binaries ----

export const lnk = prefix('L\x00\x00\x00\x01\x14\x02\x00');
export const wasm = prefix('\x00asm');
export const exe: Detector = (raw) => raw.length > 1 && raw[0] === 0x4d && raw[1] === 0x5a;
export const elf = prefix('\x7FELF');
const elfType =
  (t: number): Detector =>
  (raw) =>
    raw.length > 17 && ((raw[16] === t && raw[17] === 0) || (raw[16] === 0 && raw[17] === t));
export const elfObj = elfType(1);
export const elfExe = elfType(2);
export const elfLib = elfType(3);
export const elfDump = elfType(4);
export const nes = prefix('NES\x1A');
export const swf = prefix('CWS', 'FWS', 'ZWS');
export const torrent = prefix('d8:announce');
export const parquet = prefix('PAR1');
export const cbor = prefix('\xD9\xD9\xF7');
const isFat = (raw: Uint8Array): boolean => raw.length >= 8 && u32be(raw, 0) === 0xcafebabe;
export const javaClass: Detector = (raw) => isFat(raw) && raw[7]! > 30;
export const machO: Detector = (raw) => {
  if (isFat(raw) && raw[7]! < 0x14) return true;
  if (raw.length < 4) return false;
  const be = u32be(raw, 0);
  const le = u32le(raw, 0);
  return be === 0xfeedface || le === 0xfeedface || be === 0xfeedfacf || le === 0xfeedfacf;
};
const DBF_TYPES = [0x02, 0x03, 0x04, 0x05, 0x30, 0x31, 0x32, 0x42, 0x62, 0x7b, 0x82, 0x83, 0x87, 0x8a, 0x8b, 0x8e, 0xb3, 0xcb, 0xe5, 0xf5, 0xf4, 0xfb];
export const dbf: Detector = (raw) => {
  if (raw.length < 68) return false;
  if (raw[2] === 0 || raw[2]! > 12 || raw[3] === 0 || raw[3]! > 31) return false;
  if (raw[12] !== 0 || raw[13] !== 0 || raw[30] !== 0 || raw[31] !== 0) return false;
  if (raw[28]! > 1) return false;
  return DBF_TYPES.includes(raw[0]!);
};
export const dcm: Detector = (raw) => raw.length > 131 && eqAt(raw, 128, SIG_DICM);
export const marc: Detector = (raw) => {
  if (raw.length < 24) return false;
  if (!eqAt(raw, 20, SIG_N4500)) return false;
  for (let i = 0; i < 5; i++) if (raw[i]! < 0x30 || raw[i]! > 0x39) return false;
  return raw.subarray(0, Math.min(2048, raw.length)).indexOf(0x1e) !== -1;
};
export const glb = prefix('glTF\x02\x00\x00\x00', 'glTF\x01\x00\x00\x00');
export const tzif: Detector = (raw) =>
  raw.length >= 44 && hasPrefix(raw, SIG_TZIF) && u32be(raw, 36) !== 0 && (raw[4] === 0 || raw[4] === 0x32 || raw[4] === 0x33);
export const sqlite = prefix('SQLite format 3\x00');
export const msAccessAce = at(4, 'Standard ACE DB');
export const msAccessMdb = at(4, 'Standard Jet DB');
const SHP_TYPES = [0, 1, 3, 5, 8, 11, 13, 15, 18, 21, 23, 25, 28, 31];
export const shp: Detector = (raw) => {
  if (raw.length < 112) return false;
  if (u32be(raw, 0) !== 9994) return false;
  for (let o = 4; o < 24; o += 4) if (u32be(raw, o) !== 0) return false;
  if (u32le(raw, 28) !== 1000) return false;
  return SHP_TYPES.includes(u32le(raw, 108));
};
export const shx = prefix('\x00\x00\x27\x0A');
export const grib: Detector = (raw) => raw.length > 7 && hasPrefix(raw, SIG_GRIB) && (raw[7] === 1 || raw[7] === 2);
export const bufr: Detector = (raw) => raw.length > 7 && hasPrefix(raw, SIG_BUFR) && (raw[7] === 3 || raw[7] === 4);
