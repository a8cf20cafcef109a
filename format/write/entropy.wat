;; Byte histogram for entropy(): counts each byte value of memory[DATA, DATA + len) into four
;; interleaved tables at [0, 4096) (table k counts the bytes at positions = k mod 4), so that
;; consecutive equal bytes do not wait on each other's counter. The caller copies a chunk to DATA
;; (growing the memory as needed) and sums the four tables. The counter updates are written out
;; inline: as calls to a helper, V8 did not inline them and the kernel ran at 200 MB/s, not 1.5 GB/s.
(module
  (memory (export "memory") 1)
  (global $DATA i32 (i32.const 4096))

  (func (export "histogram") (param $len i32)
    (local $p i32) (local $end i32) (local $end8 i32) (local $w i64) (local $a i32)
    ;; clear the tables
    (local.set $p (i32.const 0))
    (loop $clear
      (i64.store (local.get $p) (i64.const 0))
      (local.set $p (i32.add (local.get $p) (i32.const 8)))
      (br_if $clear (i32.lt_u (local.get $p) (global.get $DATA))))
    (local.set $p (global.get $DATA))
    (local.set $end (i32.add (global.get $DATA) (local.get $len)))
    (local.set $end8 (i32.add (global.get $DATA) (i32.and (local.get $len) (i32.const -8))))
    ;; eight bytes per step: byte i of the word goes to table i mod 4
    (block $tail
      (loop $words
        (br_if $tail (i32.ge_u (local.get $p) (local.get $end8)))
        (local.set $w (i64.load (local.get $p)))
        (local.set $a (i32.shl (i32.wrap_i64 (i64.and (local.get $w) (i64.const 255))) (i32.const 2)))
        (i32.store (local.get $a) (i32.add (i32.load (local.get $a)) (i32.const 1)))
        (local.set $a (i32.add (i32.const 1024) (i32.shl (i32.wrap_i64 (i64.and (i64.shr_u (local.get $w) (i64.const 8)) (i64.const 255))) (i32.const 2))))
        (i32.store (local.get $a) (i32.add (i32.load (local.get $a)) (i32.const 1)))
        (local.set $a (i32.add (i32.const 2048) (i32.shl (i32.wrap_i64 (i64.and (i64.shr_u (local.get $w) (i64.const 16)) (i64.const 255))) (i32.const 2))))
        (i32.store (local.get $a) (i32.add (i32.load (local.get $a)) (i32.const 1)))
        (local.set $a (i32.add (i32.const 3072) (i32.shl (i32.wrap_i64 (i64.and (i64.shr_u (local.get $w) (i64.const 24)) (i64.const 255))) (i32.const 2))))
        (i32.store (local.get $a) (i32.add (i32.load (local.get $a)) (i32.const 1)))
        (local.set $a (i32.shl (i32.wrap_i64 (i64.and (i64.shr_u (local.get $w) (i64.const 32)) (i64.const 255))) (i32.const 2)))
        (i32.store (local.get $a) (i32.add (i32.load (local.get $a)) (i32.const 1)))
        (local.set $a (i32.add (i32.const 1024) (i32.shl (i32.wrap_i64 (i64.and (i64.shr_u (local.get $w) (i64.const 40)) (i64.const 255))) (i32.const 2))))
        (i32.store (local.get $a) (i32.add (i32.load (local.get $a)) (i32.const 1)))
        (local.set $a (i32.add (i32.const 2048) (i32.shl (i32.wrap_i64 (i64.and (i64.shr_u (local.get $w) (i64.const 48)) (i64.const 255))) (i32.const 2))))
        (i32.store (local.get $a) (i32.add (i32.load (local.get $a)) (i32.const 1)))
        (local.set $a (i32.add (i32.const 3072) (i32.shl (i32.wrap_i64 (i64.shr_u (local.get $w) (i64.const 56))) (i32.const 2))))
        (i32.store (local.get $a) (i32.add (i32.load (local.get $a)) (i32.const 1)))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (br $words)))
    (block $done
      (loop $bytes
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $a (i32.shl (i32.load8_u (local.get $p)) (i32.const 2)))
        (i32.store (local.get $a) (i32.add (i32.load (local.get $a)) (i32.const 1)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $bytes)))))
