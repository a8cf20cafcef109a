import { asFloat, asInt, asMap, asOptMap, type MsgMap } from '../codec/fields.js';

/** Field order of a directory summary (msgpack and JSON); `below` lacks the three averaged fields. */
export const DIRECTORY_FIELDS = [
  'directories', 'files', 'symlinks', 'devices', 'pipes', 'sockets', 'children', 'setuid', 'setgid', 'sticky',
  'objects', 'chunks', 'min_size', 'max_size', 'avg_size', 'size', 'min_mod_time', 'max_mod_time',
  'min_entropy', 'max_entropy', 'sum_entropy', 'avg_entropy', 'hi_entropy', 'lo_entropy',
  'MIME_audio', 'MIME_video', 'MIME_image', 'MIME_text', 'MIME_application', 'MIME_other', 'errors',
] as const;
export const BELOW_FIELDS = DIRECTORY_FIELDS.filter((f) => f !== 'avg_size' && f !== 'sum_entropy' && f !== 'avg_entropy');

export const FLOAT_FIELDS = new Set(['min_entropy', 'max_entropy', 'sum_entropy', 'avg_entropy']);

export type Counters = Record<string, number>;

export interface Summary {
  directory: Counters;
  below: Counters;
}

function counters(m: MsgMap | null, fields: readonly string[], what: string): Counters {
  const out: Counters = {};
  for (const f of fields) out[f] = FLOAT_FIELDS.has(f) ? asFloat(m?.[f], `${what}.${f}`) : asInt(m?.[f], `${what}.${f}`);
  return out;
}

export function parseSummary(v: unknown, what: string): Summary {
  const m = asMap(v, what);
  return {
    directory: counters(asOptMap(m.directory, `${what}.directory`), DIRECTORY_FIELDS, `${what}.directory`),
    below: counters(asOptMap(m.below, `${what}.below`), BELOW_FIELDS, `${what}.below`),
  };
}
