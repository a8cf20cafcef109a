/*
 * N-API bindings of the native kernels. Every length is checked here, before any pointer is used:
 * the callers are ours, but a wrong size must be an exception, not a write past a buffer.
 */
#include <errno.h>
#include <limits.h>
#include <node_api.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#if defined(__linux__)
#include <sys/prctl.h>
#endif
#include "aeskw.h"
#include "blake3.h"
#include "entropy.h"
#include "gcmsiv.h"
#include "lz4.h"

#define NONCE 12
#define TAG 16

static napi_value fail(napi_env env, const char *msg) {
  napi_throw_range_error(env, NULL, msg);
  return NULL;
}

/* The bytes of a Uint8Array argument (an empty one may have no pointer); 0 and an exception if it is not one. */
static int bytes(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  static uint8_t none[1];
  napi_typedarray_type type;
  void *p;
  if (napi_get_typedarray_info(env, v, &type, len, &p, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    fail(env, "expected a Uint8Array");
    return 0;
  }
  *data = p ? p : none;
  return 1;
}

static int offset(napi_env env, napi_value v, size_t *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d >= 0) || d > 9007199254740991.0 || d != (double)(size_t)d) {
    fail(env, "expected a non-negative integer");
    return 0;
  }
  *out = (size_t)d;
  return 1;
}

static int args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    fail(env, "missing arguments");
    return 0;
  }
  return 1;
}

/* seal(key, nonce, plaintext, out, at): out[at, at + n + 16) = ciphertext ‖ tag. */
static napi_value seal(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  size_t klen, nlen, plen, olen, at;
  if (!args(env, info, 5, argv)) return NULL;
  uint8_t *key, *nonce, *pt, *out;
  if (!bytes(env, argv[0], &key, &klen) || !bytes(env, argv[1], &nonce, &nlen) || !bytes(env, argv[2], &pt, &plen) ||
      !bytes(env, argv[3], &out, &olen) || !offset(env, argv[4], &at))
    return NULL;
  if (klen != 32 || nlen != NONCE) return fail(env, "gcm-siv: key of 32 bytes and nonce of 12 expected");
  if (at > olen || olen - at < plen || olen - at - plen < TAG) return fail(env, "gcm-siv: output does not fit");
  gcmsiv_seal(key, nonce, pt, plen, out + at);
  return NULL;
}

/* open(key, nonce, sealed, out): true and out[0, n) = plaintext when the tag of sealed = ct ‖ tag verifies. */
static napi_value open_(napi_env env, napi_callback_info info) {
  napi_value argv[4], result;
  size_t klen, nlen, slen, olen;
  if (!args(env, info, 4, argv)) return NULL;
  uint8_t *key, *nonce, *sealed, *out;
  if (!bytes(env, argv[0], &key, &klen) || !bytes(env, argv[1], &nonce, &nlen) || !bytes(env, argv[2], &sealed, &slen) ||
      !bytes(env, argv[3], &out, &olen))
    return NULL;
  if (klen != 32 || nlen != NONCE) return fail(env, "gcm-siv: key of 32 bytes and nonce of 12 expected");
  if (slen < TAG || olen < slen - TAG) return fail(env, "gcm-siv: output does not fit");
  int ok = gcmsiv_open(key, nonce, sealed, slen - TAG, sealed + slen - TAG, out);
  napi_get_boolean(env, ok, &result);
  return result;
}

/*
 * sealStream(subkey, nonces, plain, chunkSize, out, at): Kloset's encrypted stream body, each
 * chunkSize piece of plain as nonce ‖ ciphertext ‖ tag, one nonce of `nonces` per piece.
 */
static napi_value seal_stream(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  size_t klen, nlen, plen, olen, chunk, at;
  if (!args(env, info, 6, argv)) return NULL;
  uint8_t *key, *nonces, *pt, *out;
  if (!bytes(env, argv[0], &key, &klen) || !bytes(env, argv[1], &nonces, &nlen) || !bytes(env, argv[2], &pt, &plen) ||
      !offset(env, argv[3], &chunk) || !bytes(env, argv[4], &out, &olen) || !offset(env, argv[5], &at))
    return NULL;
  if (klen != 32 || chunk == 0) return fail(env, "gcm-siv: key of 32 bytes and a chunk size expected");
  size_t pieces = plen / chunk + (plen % chunk != 0);
  if (nlen != pieces * NONCE) return fail(env, "gcm-siv: one nonce per piece expected");
  if (at > olen || olen - at < plen || olen - at - plen < pieces * (NONCE + TAG)) return fail(env, "gcm-siv: output does not fit");
  uint8_t *o = out + at;
  for (size_t p = 0, i = 0; p < plen; p += chunk, i++) {
    size_t n = plen - p < chunk ? plen - p : chunk;
    memcpy(o, nonces + NONCE * i, NONCE);
    gcmsiv_seal(key, nonces + NONCE * i, pt + p, n, o + NONCE);
    o += NONCE + n + TAG;
  }
  return NULL;
}

/* wrapKeys(kek, keys, out): AES-KW of each 32-byte key of keys under the 32-byte kek, 40 bytes each in out. */
static napi_value wrap_keys(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  size_t klen, n, olen;
  uint8_t *kek, *keys, *out;
  if (!args(env, info, 3, argv) || !bytes(env, argv[0], &kek, &klen) || !bytes(env, argv[1], &keys, &n) || !bytes(env, argv[2], &out, &olen))
    return NULL;
  if (klen != 32 || n % 32 != 0 || olen < n / 32 * 40) return fail(env, "aes-kw: key of 32 bytes, keys of 32 and 40 bytes of output each expected");
  aeskw256_wrap_keys(kek, keys, n / 32, out);
  return NULL;
}

/* blake3KeyedSmall(key, data, out): out[0, 32) = keyed BLAKE3 of data (at most 1024 bytes). */
static napi_value blake3_small(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  size_t klen, n, olen;
  uint8_t *key, *in, *out;
  if (!args(env, info, 3, argv) || !bytes(env, argv[0], &key, &klen) || !bytes(env, argv[1], &in, &n) || !bytes(env, argv[2], &out, &olen))
    return NULL;
  if (klen != 32 || n > BLAKE3_SMALL_MAX || olen < 32) return fail(env, "blake3: key of 32 bytes, input of at most 1024 and output of 32 expected");
  blake3_keyed_small(key, in, n, out);
  return NULL;
}

/* lz4Block(src, dst, at): src compressed as one LZ4 block at dst[at]; returns its size. */
static napi_value lz4_block_(napi_env env, napi_callback_info info) {
  napi_value argv[3], result;
  size_t n, olen, at;
  uint8_t *src, *dst;
  if (!args(env, info, 3, argv) || !bytes(env, argv[0], &src, &n) || !bytes(env, argv[1], &dst, &olen) || !offset(env, argv[2], &at))
    return NULL;
  if (n > 0x7fffffff || at > olen || olen - at < LZ4_BOUND(n)) return fail(env, "lz4: output does not fit");
  napi_create_double(env, (double)lz4_block(src, n, dst + at), &result);
  return result;
}

/* lz4Unblock(src, dst, pos, cap): the LZ4 block src decoded into dst[pos, cap); the position after it, or -1. */
static napi_value lz4_unblock_(napi_env env, napi_callback_info info) {
  napi_value argv[4], result;
  size_t n, olen, pos, cap;
  uint8_t *src, *dst;
  if (!args(env, info, 4, argv) || !bytes(env, argv[0], &src, &n) || !bytes(env, argv[1], &dst, &olen) || !offset(env, argv[2], &pos) ||
      !offset(env, argv[3], &cap))
    return NULL;
  if (pos > cap || cap > olen) return fail(env, "lz4: output range out of bounds");
  napi_create_double(env, (double)lz4_unblock(src, n, dst, pos, cap), &result);
  return result;
}

/*
 * lstat(path, numbers, ids): 0, numbers (a Float64Array of 7) = mode, nlink, uid, gid, size,
 * mtime seconds and nanoseconds, and ids (a BigUint64Array of 2) = dev, ino; or the errno. The
 * walk of a backup calls it once per entry: node's lstatSync with { bigint: true } (needed for the
 * nanoseconds) builds ~18 BigInts and a Stats object each time.
 */
static napi_value lstat_(napi_env env, napi_callback_info info) {
  napi_value argv[3], result;
  char path[PATH_MAX + 1];
  size_t len, n1, n2;
  napi_typedarray_type t1, t2;
  void *p1, *p2;
  if (!args(env, info, 3, argv)) return NULL;
  if (napi_get_value_string_utf8(env, argv[0], path, sizeof path, &len) != napi_ok) return fail(env, "lstat: expected a path");
  if (napi_get_typedarray_info(env, argv[1], &t1, &n1, &p1, NULL, NULL) != napi_ok || t1 != napi_float64_array || n1 < 7 ||
      napi_get_typedarray_info(env, argv[2], &t2, &n2, &p2, NULL, NULL) != napi_ok || t2 != napi_biguint64_array || n2 < 2)
    return fail(env, "lstat: expected a Float64Array of 7 and a BigUint64Array of 2");
  struct stat st;
  /* A path that filled the buffer may have been cut short: too long for the system anyway. */
  int err = len >= sizeof path - 1 ? ENAMETOOLONG : strlen(path) != len ? ENOENT : lstat(path, &st) != 0 ? errno : 0;
  if (err == 0) {
    double *num = p1;
    uint64_t *ids = p2;
    num[0] = (double)st.st_mode;
    num[1] = (double)st.st_nlink;
    num[2] = (double)st.st_uid;
    num[3] = (double)st.st_gid;
    num[4] = (double)st.st_size;
    num[5] = (double)st.st_mtim.tv_sec;
    num[6] = (double)st.st_mtim.tv_nsec;
    ids[0] = (uint64_t)st.st_dev;
    ids[1] = (uint64_t)st.st_ino;
  }
  napi_create_int32(env, err, &result);
  return result;
}

/*
 * utimens(path, seconds, nanoseconds, follow): sets the access and modification times of path to
 * that instant, exactly: node's utimes takes seconds as a double, which loses the last digits.
 * Returns 0 or the errno.
 */
static napi_value utimens_(napi_env env, napi_callback_info info) {
  napi_value argv[4], result;
  char path[PATH_MAX + 1];
  size_t len;
  int64_t sec, nsec;
  bool follow;
  if (!args(env, info, 4, argv)) return NULL;
  if (napi_get_value_string_utf8(env, argv[0], path, sizeof path, &len) != napi_ok) return fail(env, "utimens: expected a path");
  if (napi_get_value_int64(env, argv[1], &sec) != napi_ok || napi_get_value_int64(env, argv[2], &nsec) != napi_ok ||
      napi_get_value_bool(env, argv[3], &follow) != napi_ok || nsec < 0 || nsec > 999999999)
    return fail(env, "utimens: expected seconds, nanoseconds (0..999999999) and whether to follow a symlink");
  struct timespec ts[2] = {{.tv_sec = (time_t)sec, .tv_nsec = (long)nsec}, {.tv_sec = (time_t)sec, .tv_nsec = (long)nsec}};
  int err = len >= sizeof path - 1 ? ENAMETOOLONG
          : strlen(path) != len    ? ENOENT
          : utimensat(AT_FDCWD, path, ts, follow ? 0 : AT_SYMLINK_NOFOLLOW) != 0 ? errno
                                   : 0;
  napi_create_int32(env, err, &result);
  return result;
}

/* entropy(data): Kloset's per-chunk entropy. */
static napi_value entropy_(napi_env env, napi_callback_info info) {
  napi_value argv[1], result;
  size_t n;
  uint8_t *in;
  if (!args(env, info, 1, argv) || !bytes(env, argv[0], &in, &n)) return NULL;
  napi_create_double(env, entropy(in, n), &result);
  return result;
}

static napi_value supported(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  napi_get_boolean(env, gcmsiv_supported(), &result);
  return result;
}

/*
 * tuneMemory(mmapThreshold): glibc serves allocations of at least this size with their own
 * mappings, returned to the system when freed, instead of from arenas that keep their peak; and
 * the process gets no transparent huge pages (Linux). Returns whether the first was applied.
 */
static napi_value tune_memory(napi_env env, napi_callback_info info) {
  napi_value argv[1], result;
  size_t threshold;
  if (!args(env, info, 1, argv) || !offset(env, argv[0], &threshold)) return NULL;
#if defined(__GLIBC__)
  int ok = mallopt(M_MMAP_THRESHOLD, (int)threshold) == 1;
#else
  int ok = 0;
#endif
#if defined(__linux__)
  prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
#endif
  napi_get_boolean(env, ok, &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"supported", NULL, supported, NULL, NULL, NULL, napi_default, NULL},
      {"seal", NULL, seal, NULL, NULL, NULL, napi_default, NULL},
      {"open", NULL, open_, NULL, NULL, NULL, napi_default, NULL},
      {"sealStream", NULL, seal_stream, NULL, NULL, NULL, napi_default, NULL},
      {"wrapKeys", NULL, wrap_keys, NULL, NULL, NULL, napi_default, NULL},
      {"blake3KeyedSmall", NULL, blake3_small, NULL, NULL, NULL, napi_default, NULL},
      {"lz4Block", NULL, lz4_block_, NULL, NULL, NULL, napi_default, NULL},
      {"lz4Unblock", NULL, lz4_unblock_, NULL, NULL, NULL, napi_default, NULL},
      {"lstat", NULL, lstat_, NULL, NULL, NULL, napi_default, NULL},
      {"utimens", NULL, utimens_, NULL, NULL, NULL, napi_default, NULL},
      {"entropy", NULL, entropy_, NULL, NULL, NULL, napi_default, NULL},
      {"tuneMemory", NULL, tune_memory, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
