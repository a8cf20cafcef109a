import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { DirectoryStore } from './directory.js';
import { PtarStore } from './ptar.js';
import type { Store, WritableStore } from './store.js';

export type StoreKind = 'ptar' | 'fs' | 's3';

/** Store options given as `key=value` (plakar's `-o`), e.g. S3 credentials or `use_tls=false`. */
export type StoreOptions = Record<string, string>;

/**
 * What kind of store a location names, as plakar spells them: `s3://host[:port]/bucket[/prefix]`,
 * `ptar://file`, `http(s)://` (a ptar served over HTTP), `fs://path` or a bare path. A bare path is
 * a ptar when it is a regular file or ends in `.ptar`, otherwise a directory store.
 */
export function storeKind(location: string): StoreKind {
  if (location.startsWith('s3://')) return 's3';
  if (/^(ptar:\/\/|(ptar\+)?https?:\/\/)/.test(location)) return 'ptar';
  if (location.startsWith('fs://')) return 'fs';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) throw new UsageError(`unsupported location: ${location}`);
  if (location.endsWith('.ptar')) return 'ptar';
  try {
    return statSync(location).isFile() ? 'ptar' : 'fs';
  } catch {
    return 'fs';
  }
}

export function parseOptions(pairs: readonly string[]): StoreOptions {
  const out: StoreOptions = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`store option must be key=value: ${p}`);
    out[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return out;
}

/** The S3 store, and the AWS SDK under it (~25 MB of memory), are loaded only for s3:// locations. */
async function openS3(location: string, options: StoreOptions): Promise<WritableStore> {
  return (await import('./s3.js')).S3Store.open(location, options);
}

/** Opens an existing store for reading (and, for directories and S3, writing). */
export async function openStore(location: string, options: StoreOptions = {}): Promise<Store> {
  switch (storeKind(location)) {
    case 'ptar':
      return PtarStore.open(location);
    case 's3':
      return openS3(location, options);
    case 'fs':
      return directoryStore(location);
  }
}

/** A directory or S3 store, existing or about to be created; ptar archives are written differently. */
export async function writableStore(location: string, options: StoreOptions = {}): Promise<WritableStore> {
  switch (storeKind(location)) {
    case 's3':
      return openS3(location, options);
    case 'fs':
      return directoryStore(location);
    case 'ptar':
      throw new UsageError(`${location} is a ptar archive: archives are written whole with \`plakar ptar\` or sync`);
  }
}

function directoryStore(location: string): DirectoryStore {
  const path = location.startsWith('fs://') ? location.slice('fs://'.length) : location;
  return new DirectoryStore(location, resolve(path));
}
