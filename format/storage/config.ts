import { IntegrityError, UnsupportedError } from '../errors.js';
import type { GoTime } from '../gotime.js';
import { unpack } from '../codec/msgpack.js';
import { asBytes, asInt, asMap, asOptMap, asString, asTime, asUint64 } from '../codec/fields.js';

export interface KdfParams {
  kdf: 'ARGON2ID' | 'SCRYPT' | 'PBKDF2';
  salt: Uint8Array;
  argon2id?: { saltSize: number; time: number; memory: number; threads: number; keyLen: number };
  scrypt?: { saltSize: number; n: number; r: number; p: number; keyLen: number };
  pbkdf2?: { saltSize: number; iterations: number; keyLen: number; hashing: string };
}

export interface EncryptionConfig {
  subKeyAlgorithm: 'AES256-KW' | 'AES256-GCM';
  dataAlgorithm: 'AES256-GCM-SIV';
  chunkSize: number;
  kdfParams: KdfParams;
  canary: Uint8Array;
}

export interface Configuration {
  version: number;
  timestamp: GoTime;
  repositoryId: Uint8Array;
  packfile: { minSize: bigint; avgSize: bigint; maxSize: bigint };
  chunking: { algorithm: string; minSize: number; normalSize: number; maxSize: number };
  hashing: { algorithm: 'BLAKE3' | 'SHA256'; bits: number };
  compression: null | {
    algorithm: string;
    level: number;
    windowSize: number;
    chunkSize: number;
    blockSize: number;
    enableCRC: boolean;
  };
  encryption: null | EncryptionConfig;
}

/** Decodes the msgpack body of a CONFIG resource (the version comes from the wrapper header). */
export function parseConfiguration(body: Uint8Array, version: number): Configuration {
  const m = asMap(unpack(body, 'configuration'), 'configuration');
  const pf = asMap(m.Packfile, 'configuration.Packfile');
  const ch = asMap(m.Chunking, 'configuration.Chunking');
  const ha = asMap(m.Hashing, 'configuration.Hashing');
  const co = asOptMap(m.Compression, 'configuration.Compression');
  const en = asOptMap(m.Encryption, 'configuration.Encryption');

  const hashAlg = asString(ha.Algorithm, 'Hashing.Algorithm');
  if (hashAlg !== 'BLAKE3' && hashAlg !== 'SHA256') throw new UnsupportedError(`unsupported hashing algorithm ${JSON.stringify(hashAlg)}`);
  const repositoryId = asBytes(m.RepositoryID, 'configuration.RepositoryID');
  if (repositoryId.length !== 16) throw new IntegrityError('configuration: RepositoryID is not 16 bytes');

  return {
    version,
    timestamp: asTime(m.Timestamp, 'configuration.Timestamp'),
    repositoryId,
    packfile: {
      minSize: asUint64(pf.MinSize, 'Packfile.MinSize'),
      avgSize: asUint64(pf.AvgSize, 'Packfile.AvgSize'),
      maxSize: asUint64(pf.MaxSize, 'Packfile.MaxSize'),
    },
    chunking: {
      algorithm: asString(ch.Algorithm, 'Chunking.Algorithm'),
      minSize: asInt(ch.MinSize, 'Chunking.MinSize'),
      normalSize: asInt(ch.NormalSize, 'Chunking.NormalSize'),
      maxSize: asInt(ch.MaxSize, 'Chunking.MaxSize'),
    },
    hashing: { algorithm: hashAlg, bits: asInt(ha.Bits, 'Hashing.Bits') },
    compression: co && {
      algorithm: asString(co.Algorithm, 'Compression.Algorithm'),
      level: asInt(co.Level ?? 0, 'Compression.Level'),
      windowSize: asInt(co.WindowSize ?? 0, 'Compression.WindowSize'),
      chunkSize: asInt(co.ChunkSize ?? 0, 'Compression.ChunkSize'),
      blockSize: asInt(co.BlockSize ?? 0, 'Compression.BlockSize'),
      enableCRC: co.EnableCRC === true,
    },
    encryption: en && parseEncryption(en),
  };
}

function parseEncryption(en: Record<string, unknown>): EncryptionConfig {
  const subKeyAlgorithm = asString(en.SubKeyAlgorithm, 'Encryption.SubKeyAlgorithm');
  if (subKeyAlgorithm !== 'AES256-KW' && subKeyAlgorithm !== 'AES256-GCM') {
    throw new UnsupportedError(`unsupported subkey algorithm ${JSON.stringify(subKeyAlgorithm)}`);
  }
  const dataAlgorithm = asString(en.DataAlgorithm, 'Encryption.DataAlgorithm');
  if (dataAlgorithm !== 'AES256-GCM-SIV') throw new UnsupportedError(`unsupported data algorithm ${JSON.stringify(dataAlgorithm)}`);
  const chunkSize = asInt(en.ChunkSize, 'Encryption.ChunkSize');
  if (chunkSize <= 0 || chunkSize > 64 * 1024 * 1024) throw new IntegrityError(`configuration: invalid encryption chunk size ${chunkSize}`);

  const kp = asMap(en.KDFParams, 'Encryption.KDFParams');
  const kdf = asString(kp.KDF, 'KDFParams.KDF');
  const params: KdfParams = { kdf: kdf as KdfParams['kdf'], salt: asBytes(kp.Salt, 'KDFParams.Salt') };
  if (kdf === 'ARGON2ID') {
    const a = asMap(kp.argon2id, 'KDFParams.argon2id');
    params.argon2id = {
      saltSize: asInt(a.SaltSize, 'argon2id.SaltSize'),
      time: asInt(a.Time, 'argon2id.Time'),
      memory: asInt(a.Memory, 'argon2id.Memory'),
      threads: asInt(a.Threads, 'argon2id.Threads'),
      keyLen: asInt(a.KeyLen, 'argon2id.KeyLen'),
    };
  } else if (kdf === 'SCRYPT') {
    const s = asMap(kp.scrypt, 'KDFParams.scrypt');
    params.scrypt = {
      saltSize: asInt(s.SaltSize, 'scrypt.SaltSize'),
      n: asInt(s.N, 'scrypt.N'),
      r: asInt(s.R, 'scrypt.R'),
      p: asInt(s.P, 'scrypt.P'),
      keyLen: asInt(s.KeyLen, 'scrypt.KeyLen'),
    };
  } else if (kdf === 'PBKDF2') {
    const p = asMap(kp.pbkdf2, 'KDFParams.pbkdf2');
    params.pbkdf2 = {
      saltSize: asInt(p.SaltSize, 'pbkdf2.SaltSize'),
      iterations: asInt(p.Iterations, 'pbkdf2.Iterations'),
      keyLen: asInt(p.KeyLen, 'pbkdf2.KeyLen'),
      hashing: asString(p.Hashing, 'pbkdf2.Hashing'),
    };
  } else {
    throw new UnsupportedError(`unsupported key derivation function ${JSON.stringify(kdf)}`);
  }
  return { subKeyAlgorithm, dataAlgorithm, chunkSize, kdfParams: params, canary: asBytes(en.Canary, 'Encryption.Canary') };
}
