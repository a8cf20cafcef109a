import { bytesEqual, toHex } from './binary.js';
import type { Hasher } from './crypto/blake3.js';
import { deriveKey } from './crypto/kdf.js';
import { configMacFactory } from './crypto/mac.js';
import { decryptStream } from './crypto/stream.js';
import { Codec } from './keys.js';
import { AuthError, IntegrityError, NotFoundError, UnsupportedError } from './errors.js';
import { isContentAddressed, resourceName, RT } from './resources.js';
import { BlobIndex, parseState, STATE_VERSION_1_1, type StateData } from './state.js';
import { parseConfiguration, type Configuration } from './storage/config.js';
import { checkVersion, parseWrapperHeader, unwrap, WRAPPER_HEADER_SIZE, WRAPPER_MAC_SIZE } from './storage/wrapper.js';
import type { Store } from './store/store.js';
import { parseVersion } from './versioning.js';

export const CONFIG_VERSION = parseVersion('1.0.0');
export const PACKFILE_VERSION = parseVersion('1.0.0');

/** Asked for the passphrase of an encrypted repository; `attempt` counts from 1. */
export type PassphraseProvider = (attempt: number) => Promise<string | null>;

/** Reads the configuration of a store without any key (its MAC is checked once the key is known). */
export async function readConfiguration(store: Store): Promise<{ raw: Uint8Array; config: Configuration }> {
  const raw = await store.getConfig();
  if (raw.length < WRAPPER_HEADER_SIZE + WRAPPER_MAC_SIZE) throw new IntegrityError('configuration: truncated');
  const header = parseWrapperHeader(raw.subarray(0, WRAPPER_HEADER_SIZE), RT.CONFIG, 'configuration');
  if (header.version !== CONFIG_VERSION) throw new UnsupportedError(`incompatible repository version ${header.version >>> 16}.${(header.version >>> 8) & 0xff}.${header.version & 0xff}`);
  return { raw, config: parseConfiguration(raw.subarray(WRAPPER_HEADER_SIZE, raw.length - WRAPPER_MAC_SIZE), header.version) };
}

/**
 * An open Kloset repository: configuration, keys, and the merged state that locates every blob.
 * Blobs are fetched by (type, MAC), decoded (decrypt, then decompress) and, for content-addressed
 * types, checked against their MAC before anyone sees them.
 */
export class Repository {
  readonly codec: Codec;
  readonly newMac: () => Hasher;

  private constructor(
    readonly store: Store,
    readonly config: Configuration,
    readonly master: Uint8Array | null,
    readonly index: BlobIndex,
    readonly states: StateData[],
  ) {
    this.codec = new Codec(config, master);
    this.newMac = this.codec.newMac;
  }

  static async open(store: Store, passphrase?: PassphraseProvider): Promise<Repository> {
    const { raw, config } = await readConfiguration(store);
    const master = config.encryption ? await unlock(config, passphrase) : null;
    unwrap(raw, RT.CONFIG, configMacFactory(master), 'configuration');
    const partial = new Repository(store, config, master, BlobIndex.build([]), []);
    const states = new Map<string, StateData>();
    for (const id of await store.listStates()) states.set(toHex(id), await partial.readState(id));
    const ordered = orderStates(states);
    return new Repository(store, config, master, BlobIndex.build(ordered), ordered);
  }

  get encrypted(): boolean {
    return this.master !== null;
  }

  computeMac(data: Uint8Array): Uint8Array {
    return this.codec.computeMac(data);
  }

  decode(data: Uint8Array, what: string): Uint8Array {
    return this.codec.decode(data, what);
  }

  private async readState(id: Uint8Array): Promise<StateData> {
    const what = `state ${toHex(id).slice(0, 16)}`;
    const { header, body } = unwrap(await this.store.getState(id), RT.STATE, this.newMac, what);
    checkVersion(header, STATE_VERSION_1_1, what);
    return { ...parseState(this.decode(body, what), header.version), id };
  }

  /** The stored (encoded) bytes of a blob. */
  async getEncodedBlob(type: number, mac: Uint8Array): Promise<Uint8Array> {
    const loc = this.index.lookup(type, mac);
    if (!loc) throw new NotFoundError(`${resourceName(type)} ${toHex(mac)} not found`);
    return this.store.readPackfile(loc.packfile, WRAPPER_HEADER_SIZE + loc.offset, loc.length);
  }

  /** A blob's decoded bytes; content-addressed blobs are verified against their MAC. */
  async getBlob(type: number, mac: Uint8Array): Promise<Uint8Array> {
    const what = `${resourceName(type)} ${toHex(mac)}`;
    const data = this.decode(await this.getEncodedBlob(type, mac), what);
    if (isContentAddressed(type) && !bytesEqual(this.computeMac(data), mac)) throw new IntegrityError(`${what}: MAC mismatch`);
    return data;
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

async function unlock(config: Configuration, passphrase?: PassphraseProvider): Promise<Uint8Array> {
  const enc = config.encryption!;
  if (!passphrase) throw new AuthError('repository is encrypted: a passphrase is required');
  for (let attempt = 1; ; attempt++) {
    const pass = await passphrase(attempt);
    if (pass === null) break;
    const key = await deriveKey(enc.kdfParams, new TextEncoder().encode(pass));
    try {
      decryptStream(enc, key, enc.canary, 'canary');
      return key;
    } catch {
      // wrong passphrase: ask again while the provider is willing
    }
  }
  throw new AuthError('wrong passphrase: cannot unlock the repository');
}

/**
 * Orders states parents first, as Kloset merges them: a 1.1.0 state names its parent, and a state
 * whose parent is absent (or a 1.0.0 state, which has none) is a root.
 */
function orderStates(states: Map<string, StateData>): StateData[] {
  const out: StateData[] = [];
  const done = new Set<string>();
  const visit = (id: string, path: Set<string>): void => {
    if (done.has(id) || path.has(id)) return;
    path.add(id);
    const parent = states.get(id)!.parent;
    const pid = parent ? toHex(parent) : '';
    if (states.has(pid)) visit(pid, path);
    done.add(id);
    out.push(states.get(id)!);
  };
  for (const id of [...states.keys()].sort()) visit(id, new Set());
  return out;
}
