// Content-type detection identical to what Plakar records for regular files.
//
// Kloset (v1.1.3) stores `mimetype.Detect(firstChunk).String()` from
// github.com/gabriel-vasile/mimetype v1.4.13 as each file's content type. This module is an
// independent TypeScript implementation of that library's decision procedure: the same
// detection tree (children tried in order, first match wins, the deepest matching node is the
// answer), the same signatures, the same 3072-byte read limit and the same charset parameter
// rules for text/plain, text/html and text/xml. Helpers live in ./mimetype/.

import * as bin from './mimetype/binary.js';
import { csv, tsv } from './mimetype/csv.js';
import { fromHTML, fromPlain, fromXML } from './mimetype/charset.js';
import * as txt from './mimetype/text.js';
import type { Detector } from './mimetype/text.js';

/** mimetype's default read limit: only this many leading bytes are ever inspected. */
export const MIMETYPE_READ_LIMIT = 3072;

interface Node {
  readonly mime: string;
  readonly detect: Detector;
  readonly children: readonly Node[];
  /**
   * The children worth trying for input starting with each byte value: in order, less those
   * whose signature starts with another byte (most files are then tried against a few dozen
   * detectors, not ~150).
   */
  byLead?: (readonly Node[])[];
  /** Computes the charset parameter for text/plain, text/html and text/xml. */
  readonly charset?: (head: Uint8Array) => string;
}

const node = (mime: string, detect: Detector, ...children: Node[]): Node => ({ mime, detect, children });
const withCharset = (n: Node, charset: (head: Uint8Array) => string): Node => ({ ...n, charset });

// ---- text/plain and its descendants ----

const xmlNode = withCharset(
  node(
    'text/xml',
    txt.xmlDoc,
    node('application/rss+xml', txt.rss),
    node('application/atom+xml', txt.atom),
    node('model/x3d+xml', txt.x3d),
    node('application/vnd.google-earth.kml+xml', txt.kml),
    node('application/x-xliff+xml', txt.xliff),
    node('model/vnd.collada+xml', txt.collada),
    node('application/gml+xml', txt.gml),
    node('application/gpx+xml', txt.gpx),
    node('application/vnd.garmin.tcx+xml', txt.tcx),
    node('application/x-amf', txt.amf),
    node('application/vnd.ms-package.3dmanufacturing-3dmodel+xml', txt.threemf),
    node('application/vnd.adobe.xfdf', txt.xfdf),
    node('application/owl+xml', txt.owl2),
    node('application/xhtml+xml', txt.xhtml),
  ),
  fromXML,
);

const textNode = withCharset(
  node(
    'text/plain',
    (raw) => txt.isText(raw),
    node('image/svg+xml', txt.svg),
    withCharset(node('text/html', txt.html), fromHTML),
    xmlNode,
    node('text/x-php', txt.php),
    node('text/javascript', txt.js),
    node('text/x-lua', txt.lua),
    node('text/x-perl', txt.perl),
    node('text/x-python', txt.python),
    node('text/x-ruby', txt.ruby),
    node(
      'application/json',
      txt.json,
      node('application/geo+json', txt.geoJSON),
      node('application/json', txt.har),
      node('model/gltf+json', txt.gltf),
    ),
    node('application/x-ndjson', txt.ndJSON),
    node('text/rtf', txt.rtf),
    node('application/x-subrip', txt.srt),
    node('text/x-tcl', txt.tcl),
    node('text/csv', csv),
    node('text/tab-separated-values', tsv),
    node('text/vcard', txt.vCard),
    node('text/calendar', txt.iCalendar),
    node('application/warc', txt.warc),
    node('text/vtt', txt.vtt),
    node('text/x-shellscript', txt.shell),
    node('image/x-portable-bitmap', txt.netPBM),
    node('image/x-portable-graymap', txt.netPGM),
    node('image/x-portable-pixmap', txt.netPPM),
    node('image/x-portable-arbitrarymap', txt.netPAM),
    node('message/rfc822', txt.rfc822),
  ),
  fromPlain,
);

// ---- the root: application/octet-stream ----

const root: Node = node(
  'application/octet-stream',
  () => true,
  node('image/x-xpixmap', bin.xpm),
  node('application/x-7z-compressed', bin.sevenZ),
  node(
    'application/zip',
    bin.zip,
    node('application/vnd.openxmlformats-officedocument.wordprocessingml.document', bin.docx),
    node('application/vnd.openxmlformats-officedocument.presentationml.presentation', bin.pptx),
    node('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', bin.xlsx),
    node('application/epub+zip', bin.epub),
    node('application/vnd.android.package-archive', bin.apk),
    node('application/java-archive', bin.jar),
    node('application/vnd.oasis.opendocument.text', bin.odt, node('application/vnd.oasis.opendocument.text-template', bin.ott)),
    node(
      'application/vnd.oasis.opendocument.spreadsheet',
      bin.ods,
      node('application/vnd.oasis.opendocument.spreadsheet-template', bin.ots),
    ),
    node(
      'application/vnd.oasis.opendocument.presentation',
      bin.odp,
      node('application/vnd.oasis.opendocument.presentation-template', bin.otp),
    ),
    node('application/vnd.oasis.opendocument.graphics', bin.odg, node('application/vnd.oasis.opendocument.graphics-template', bin.otg)),
    node('application/vnd.oasis.opendocument.formula', bin.odf),
    node('application/vnd.oasis.opendocument.chart', bin.odc),
    node('application/vnd.sun.xml.calc', bin.sxc),
    node('application/vnd.google-earth.kmz', bin.kmz),
    node('application/vnd.ms-visio.drawing.main+xml', bin.visio),
  ),
  node('application/pdf', bin.pdf),
  node('application/vnd.fdf', bin.fdf),
  node(
    'application/x-ole-storage',
    bin.ole,
    node('application/x-ms-installer', bin.msi),
    node('application/vnd.ms-outlook', bin.msg),
    node('application/vnd.ms-excel', bin.xls),
    node('application/vnd.ms-publisher', bin.pub),
    node('application/vnd.ms-powerpoint', bin.ppt),
    node('application/msword', bin.doc),
  ),
  node('application/postscript', bin.ps),
  node('image/vnd.adobe.photoshop', bin.psd),
  node('application/pkcs7-signature', bin.p7s),
  node('application/ogg', bin.ogg, node('audio/ogg', bin.oggAudio), node('video/ogg', bin.oggVideo)),
  node('image/png', bin.png, node('image/vnd.mozilla.apng', bin.apng)),
  node('image/jpeg', bin.jpg),
  node('image/jxl', bin.jxl),
  node('image/jp2', bin.jp2),
  node('image/jpx', bin.jpx),
  node('image/jpm', bin.jpm),
  node('image/jxs', bin.jxs),
  node('image/gif', bin.gif),
  node('image/webp', bin.webp),
  node('application/vnd.microsoft.portable-executable', bin.exe),
  node(
    'application/x-elf',
    bin.elf,
    node('application/x-object', bin.elfObj),
    node('application/x-executable', bin.elfExe),
    node('application/x-sharedlib', bin.elfLib),
    node('application/x-coredump', bin.elfDump),
  ),
  node('application/x-archive', bin.ar, node('application/vnd.debian.binary-package', bin.deb)),
  node('application/x-tar', bin.tar),
  node('application/x-xar', bin.xar),
  node('application/x-bzip2', bin.bz2),
  node('application/fits', bin.fits),
  node('image/tiff', bin.tiff),
  node('image/bmp', bin.bmp),
  node('application/vnd.lotus-1-2-3', bin.lotus123),
  node('image/x-icon', bin.ico),
  node('audio/mpeg', bin.mp3),
  node('audio/flac', bin.flac),
  node('audio/midi', bin.midi),
  node('audio/ape', bin.ape),
  node('audio/musepack', bin.musePack),
  node('audio/amr', bin.amr),
  node('audio/wav', bin.wav),
  node('audio/aiff', bin.aiff),
  node('audio/basic', bin.au),
  node('video/mpeg', bin.mpeg),
  node('video/quicktime', bin.quickTime),
  node(
    'video/mp4',
    bin.mp4,
    node('image/avif', bin.avif),
    node('video/3gpp', bin.threeGP),
    node('video/3gpp2', bin.threeG2),
    node('audio/mp4', bin.aMp4),
    node('video/quicktime', bin.mqv),
    node('audio/x-m4a', bin.m4a),
    node('video/x-m4v', bin.m4v),
    node('image/heic', bin.heic),
    node('image/heic-sequence', bin.heicSeq),
    node('image/heif', bin.heif),
    node('image/heif-sequence', bin.heifSeq),
    node('video/mj2', bin.mj2),
    node('video/vnd.dvb.file', bin.dvb),
  ),
  node('video/webm', bin.webM),
  node('video/x-msvideo', bin.avi),
  node('video/x-flv', bin.flv),
  node('video/x-matroska', bin.mkv),
  node('video/x-ms-asf', bin.asf),
  node('audio/aac', bin.aac),
  node('audio/x-unknown', bin.voc),
  node('application/vnd.apple.mpegurl', bin.m3u),
  node('application/vnd.rn-realmedia-vbr', bin.rmvb),
  node('application/gzip', bin.gzip),
  node('application/x-java-applet', bin.javaClass),
  node('application/x-shockwave-flash', bin.swf),
  node('application/x-chrome-extension', bin.crx),
  node('font/ttf', bin.ttf),
  node('font/woff', bin.woff),
  node('font/woff2', bin.woff2),
  node('font/otf', bin.otf),
  node('font/collection', bin.ttc),
  node('application/vnd.ms-fontobject', bin.eot),
  node('application/wasm', bin.wasm),
  node('application/vnd.shx', bin.shx, node('application/vnd.shp', bin.shp)),
  node('application/x-dbf', bin.dbf),
  node('application/dicom', bin.dcm),
  node('application/x-rar-compressed', bin.rar),
  node('image/vnd.djvu', bin.djvu),
  node('application/x-mobipocket-ebook', bin.mobi),
  node('application/x-ms-reader', bin.lit),
  node('image/bpg', bin.bpg),
  node('application/cbor', bin.cbor),
  node('application/vnd.sqlite3', bin.sqlite),
  node('image/vnd.dwg', bin.dwg),
  node('application/vnd.nintendo.snes.rom', bin.nes),
  node('application/x-ms-shortcut', bin.lnk),
  node('application/x-mach-binary', bin.machO),
  node('audio/qcelp', bin.qcp),
  node('image/x-icns', bin.icns),
  node('image/vnd.radiance', bin.hdr),
  node('application/marc', bin.marc),
  node('application/x-msaccess', bin.msAccessMdb),
  node('application/x-msaccess', bin.msAccessAce),
  node('application/zstd', bin.zstd),
  node('application/vnd.ms-cab-compressed', bin.cab),
  node('application/x-rpm', bin.rpm),
  node('application/x-xz', bin.xz),
  node('application/lzip', bin.lzip),
  node('application/x-bittorrent', bin.torrent),
  node('application/x-cpio', bin.cpio),
  node('application/tzif', bin.tzif),
  node('image/x-xcf', bin.xcf),
  node('image/x-gimp-pat', bin.pat),
  node('image/x-gimp-gbr', bin.gbr),
  node('model/gltf-binary', bin.glb),
  node('application/x-installshield', bin.installShieldCab),
  node('image/jxr', bin.jxr),
  node('application/vnd.apache.parquet', bin.parquet),
  node('application/onenote', bin.oneNote),
  node('application/vnd.ms-htmlhelp', bin.chm),
  node('application/vnd.wordperfect', bin.wpd),
  node('image/vnd.dxf', bin.dxf),
  node('application/grib', bin.grib),
  node('application/zlib', bin.zlib),
  node('application/x-os2-inf', bin.inf),
  node('application/x-os2-hlp', bin.hlp),
  node('application/vnd.framemaker', txt.frameMaker),
  node('application/bufr', bin.bufr),
  // Text last: it is the slowest check.
  textNode,
);

/**
 * The content type Plakar records for a regular file whose first chunk is `data`:
 * `mimetype.Detect(data).String()` of gabriel-vasile/mimetype v1.4.13, e.g.
 * "text/plain; charset=utf-8", "application/octet-stream", "image/png". Only the first
 * MIMETYPE_READ_LIMIT bytes are inspected; the result is never empty.
 */
export function detectContentType(data: Uint8Array): string {
  const limit = MIMETYPE_READ_LIMIT;
  const input = data.length > limit ? data.subarray(0, limit) : data;
  let n = root;
  descend: for (;;) {
    const children = input.length === 0 ? n.children : (n.byLead ??= dispatch(n.children))[input[0]!]!;
    for (const c of children) {
      if (c.detect(input, limit)) {
        n = c;
        continue descend;
      }
    }
    break;
  }
  if (n.charset !== undefined) {
    const cs = n.charset(input.subarray(0, Math.min(input.length, 1024)));
    if (cs !== '') return `${n.mime}; charset=${cs}`;
  }
  return n.mime;
}

function dispatch(children: readonly Node[]): (readonly Node[])[] {
  return Array.from({ length: 256 }, (_, byte) => children.filter((c) => bin.leadingBytes(c.detect)?.has(byte) ?? true));
}
