;; FastCDC Gear-fingerprint scanner for format/chunking/fastcdc.ts.
;;
;; This is the source of the bytes embedded in format/chunking/fastcdc-wasm.ts; regenerate that file
;; with `node scripts/gen-fastcdc-wasm.mjs` after any edit (the test suite checks they match).
;;
;; The module does only the hot loop: the 64-bit rolling fingerprint
;;     fp = (fp << 1) + G[byte]        (wrapping, uint64)
;; and the test (fp & mask) == 0, over bytes that the host has copied into this module's memory.
;; Everything else (buffering, min/normal/max logic, the table contents) lives in TypeScript.
;;
;; Memory layout (owned by one Chunker):
;;   [0, 2048)      Gear table: 256 x uint64 little-endian, written by the host at instantiation
;;   [2048, ...)    the current, not yet emitted chunk (grown by the host up to maxSize bytes)
(module
  (memory (export "memory") 1)

  ;; Fingerprint carried between scan calls within one chunk.
  (global $fp (mut i64) (i64.const 0))
  ;; Mask before the normal size (harder to hit) and from the normal size on (easier to hit).
  (global $maskS (mut i64) (i64.const 0))
  (global $maskL (mut i64) (i64.const 0))

  ;; setMasks(sHi, sLo, lHi, lLo): both 64-bit masks as unsigned 32-bit halves (no BigInt at the boundary).
  (func (export "setMasks") (param $sHi i32) (param $sLo i32) (param $lHi i32) (param $lLo i32)
    (global.set $maskS
      (i64.or (i64.shl (i64.extend_i32_u (local.get $sHi)) (i64.const 32))
              (i64.extend_i32_u (local.get $sLo))))
    (global.set $maskL
      (i64.or (i64.shl (i64.extend_i32_u (local.get $lHi)) (i64.const 32))
              (i64.extend_i32_u (local.get $lLo)))))

  ;; reset(): start a new chunk (fp = 0).
  (func (export "reset")
    (global.set $fp (i64.const 0)))

  ;; scan(p, end, large) -> address
  ;; Feeds the bytes at [p, end) into the fingerprint, using maskL if `large` is non-zero, else maskS.
  ;; Returns the address of the first byte after which (fp & mask) == 0 (that byte is the first of the
  ;; next chunk; fp is reset to 0 for it), or `end` if there is none (fp is kept for the next call).
  (func (export "scan") (param $p i32) (param $end i32) (param $large i32) (result i32)
    (local $fp i64)
    (local $mask i64)
    (local.set $mask (select (global.get $maskL) (global.get $maskS) (local.get $large)))
    (local.set $fp (global.get $fp))
    (block $exhausted
      (br_if $exhausted (i32.ge_u (local.get $p) (local.get $end)))
      (loop $next
        (local.set $fp
          (i64.add
            (i64.shl (local.get $fp) (i64.const 1))
            (i64.load (i32.shl (i32.load8_u (local.get $p)) (i32.const 3)))))
        (if (i64.eqz (i64.and (local.get $fp) (local.get $mask)))
          (then
            (global.set $fp (i64.const 0))
            (return (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br_if $next (i32.lt_u (local.get $p) (local.get $end)))))
    (global.set $fp (local.get $fp))
    (local.get $end))
)
