import { asArray, asFloat, asInt, asMac, asMap, asString, asStringArray, asTime, asBytes } from '../codec/fields.js';
import { unpack } from '../codec/msgpack.js';
import { IntegrityError } from '../errors.js';
import type { GoTime } from '../gotime.js';
import { parseSummary, type Summary } from './summary.js';

export interface KeyValue {
  key: string;
  value: string;
}

export interface Source {
  importer: { type: string; origin: string; directory: string };
  context: KeyValue[];
  vfs: { root: Uint8Array; xattrs: Uint8Array; errors: Uint8Array };
  indexes: { name: string; type: string; value: Uint8Array }[];
  summary: Summary;
}

/** A snapshot header (RT_SNAPSHOT blob, stored under the snapshot id). */
export interface Header {
  version: number;
  identifier: Uint8Array;
  timestamp: GoTime;
  /** Nanoseconds. */
  duration: bigint;
  identity: { identifier: Uint8Array; publicKey: Uint8Array | null };
  name: string;
  category: string;
  environment: string;
  perimeter: string;
  job: string;
  replicas: number;
  dataset: string;
  dataClasses: string[];
  classifications: { analyzer: string; classes: { name: string; probability: number }[] }[];
  tags: string[];
  context: KeyValue[];
  sources: Source[];
}

function keyValues(v: unknown, what: string): KeyValue[] {
  return asArray(v, what).map((kv, i) => {
    const m = asMap(kv, `${what}[${i}]`);
    return { key: asString(m.key, `${what}[${i}].key`), value: asString(m.value, `${what}[${i}].value`) };
  });
}

export function parseHeader(bytes: Uint8Array): Header {
  const what = 'snapshot header';
  const m = asMap(unpack(bytes, what), what);
  const identity = asMap(m.identity ?? {}, `${what}.identity`);
  const sources = asArray(m.sources, `${what}.sources`).map((s, i): Source => {
    const sm = asMap(s, `${what}.sources[${i}]`);
    const imp = asMap(sm.importer, 'source.importer');
    const vfs = asMap(sm.root, 'source.root');
    return {
      importer: { type: asString(imp.type, 'importer.type'), origin: asString(imp.origin, 'importer.origin'), directory: asString(imp.directory, 'importer.directory') },
      context: keyValues(sm.context, 'source.context'),
      vfs: { root: asMac(vfs.root, 'vfs.root'), xattrs: asMac(vfs.xattrs, 'vfs.xattrs'), errors: asMac(vfs.errors, 'vfs.errors') },
      indexes: asArray(sm.indexes, 'source.indexes').map((x, j) => {
        const im = asMap(x, `source.indexes[${j}]`);
        return { name: asString(im.name, 'index.name'), type: asString(im.type, 'index.type'), value: asMac(im.value, 'index.value') };
      }),
      summary: parseSummary(sm.summary ?? {}, 'source.summary'),
    };
  });
  if (sources.length === 0) throw new IntegrityError(`${what}: no source`);
  const duration = m.duration;
  return {
    version: asInt(m.version, `${what}.version`),
    identifier: asMac(m.identifier, `${what}.identifier`),
    timestamp: asTime(m.timestamp, `${what}.timestamp`),
    duration: typeof duration === 'bigint' ? duration : BigInt(asInt(duration, `${what}.duration`)),
    identity: {
      identifier: asBytes(identity.identifier, 'identity.identifier'),
      publicKey: identity.public_key == null ? null : asBytes(identity.public_key, 'identity.public_key'),
    },
    name: asString(m.name, 'name'),
    category: asString(m.category, 'category'),
    environment: asString(m.environment, 'environment'),
    perimeter: asString(m.perimeter, 'perimeter'),
    job: asString(m.job, 'job'),
    replicas: asInt(m.replicas, 'replicas'),
    dataset: asString(m.dataset, 'dataset'),
    dataClasses: asStringArray(m.data_classes, 'data_classes'),
    classifications: asArray(m.classifications, 'classifications').map((c) => {
      const cm = asMap(c, 'classification');
      return {
        analyzer: asString(cm.analyzer, 'analyzer'),
        classes: asArray(cm.classes, 'classes').map((k) => {
          const km = asMap(k, 'class');
          return { name: asString(km.name, 'class.name'), probability: asFloat(km.probability, 'class.probability') };
        }),
      };
    }),
    tags: asStringArray(m.tags, 'tags'),
    context: keyValues(m.context, 'context'),
    sources,
  };
}
