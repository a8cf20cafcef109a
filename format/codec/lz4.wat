;; LZ4 block compression (lz4_Block_format.md), the greedy "fast" parser of the reference library:
;; a 4096-entry hash table of 4-byte sequences, matches of at least 4 bytes at most 65535 back, a
;; search step that grows over long stretches without a match (acceleration 1), matches extended
;; backwards and forwards. The format's end rules hold: no match starts in the last 12 bytes and the
;; last 5 bytes are literals.
;;
;; Memory: the hash table at [0, 16384) (absolute addresses, 0 = empty); the caller puts the input
;; and room for the output (len + len/255 + 16 bytes) past it, growing the memory as needed.
(module
  (memory (export "memory") 1)

  (func $hash (param $seq i32) (result i32)
    (i32.shl (i32.shr_u (i32.mul (local.get $seq) (i32.const -1640531535)) (i32.const 20)) (i32.const 2)))

  ;; Writes the remainder of a length of 15 or more (after the token's 15): 255s, then the rest.
  (func $length (param $op i32) (param $n i32) (result i32)
    (block $done
      (loop $more
        (br_if $done (i32.lt_u (local.get $n) (i32.const 255)))
        (i32.store8 (local.get $op) (i32.const 255))
        (local.set $op (i32.add (local.get $op) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 255)))
        (br $more)))
    (i32.store8 (local.get $op) (local.get $n))
    (i32.add (local.get $op) (i32.const 1)))

  ;; Literals [from, from + n) after a token at $op: sets the token's high nibble, writes the
  ;; length bytes and the literals; returns the position after them.
  (func $literals (param $op i32) (param $from i32) (param $n i32) (result i32)
    (local $at i32)
    (local.set $at (i32.add (local.get $op) (i32.const 1)))
    (if (i32.ge_u (local.get $n) (i32.const 15))
      (then
        (i32.store8 (local.get $op) (i32.const 0xf0))
        (local.set $at (call $length (local.get $at) (i32.sub (local.get $n) (i32.const 15)))))
      (else (i32.store8 (local.get $op) (i32.shl (local.get $n) (i32.const 4)))))
    (memory.copy (local.get $at) (local.get $from) (local.get $n))
    (i32.add (local.get $at) (local.get $n)))

  ;; Compresses [src, src + len) to dst; returns the block's length.
  (func (export "compress") (param $src i32) (param $len i32) (param $dst i32) (result i32)
    (local $ip i32) (local $anchor i32) (local $end i32) (local $mflimit i32) (local $matchlimit i32)
    (local $op i32) (local $token i32) (local $ref i32) (local $seq i32) (local $h i32)
    (local $attempts i32) (local $mlen i32) (local $diff i64)
    (memory.fill (i32.const 0) (i32.const 0) (i32.const 16384))
    (local.set $op (local.get $dst))
    (local.set $anchor (local.get $src))
    (local.set $end (i32.add (local.get $src) (local.get $len)))
    (if (i32.ge_u (local.get $len) (i32.const 13))
      (then
        (local.set $mflimit (i32.sub (local.get $end) (i32.const 12)))
        (local.set $matchlimit (i32.sub (local.get $end) (i32.const 5)))
        (i32.store (call $hash (i32.load (local.get $src))) (local.get $src))
        (local.set $ip (i32.add (local.get $src) (i32.const 1)))
        (block $done
          (loop $sequence
            ;; Find a match: the step grows by one every 64 misses.
            (local.set $attempts (i32.const 64))
            (block $found
              (loop $search
                (br_if $done (i32.gt_u (local.get $ip) (local.get $mflimit)))
                (local.set $seq (i32.load (local.get $ip)))
                ;; $hash, written out: V8 does not inline wasm calls here.
                (local.set $h (i32.shl (i32.shr_u (i32.mul (local.get $seq) (i32.const -1640531535)) (i32.const 20)) (i32.const 2)))
                (local.set $ref (i32.load (local.get $h)))
                (i32.store (local.get $h) (local.get $ip))
                ;; (An empty slot reads the table at address 0: harmless, and never equal as an offset.)
                (br_if $found
                  (i32.and
                    (i32.and (i32.ne (local.get $ref) (i32.const 0))
                             (i32.le_u (i32.sub (local.get $ip) (local.get $ref)) (i32.const 65535)))
                    (i32.eq (i32.load (local.get $ref)) (local.get $seq))))
                (local.set $ip (i32.add (local.get $ip) (i32.shr_u (local.get $attempts) (i32.const 6))))
                (local.set $attempts (i32.add (local.get $attempts) (i32.const 1)))
                (br $search)))
            ;; Extend backwards over equal bytes, not past the literals' start nor the input's.
            (block $back
              (loop $b
                (br_if $back (i32.le_u (local.get $ip) (local.get $anchor)))
                (br_if $back (i32.le_u (local.get $ref) (local.get $src)))
                (br_if $back (i32.ne (i32.load8_u (i32.sub (local.get $ip) (i32.const 1)))
                                     (i32.load8_u (i32.sub (local.get $ref) (i32.const 1)))))
                (local.set $ip (i32.sub (local.get $ip) (i32.const 1)))
                (local.set $ref (i32.sub (local.get $ref) (i32.const 1)))
                (br $b)))
            ;; Extend forwards, eight bytes at a time, up to matchlimit.
            (local.set $mlen (i32.const 4))
            (block $extended
              (loop $words
                (br_if $extended
                  (if (result i32)
                    (i32.gt_u (i32.add (i32.add (local.get $ip) (local.get $mlen)) (i32.const 8)) (local.get $matchlimit))
                    (then (i32.const 0))
                    (else
                      (local.set $diff (i64.xor (i64.load (i32.add (local.get $ip) (local.get $mlen)))
                                                (i64.load (i32.add (local.get $ref) (local.get $mlen)))))
                      (if (i64.eqz (local.get $diff))
                        (then
                          (local.set $mlen (i32.add (local.get $mlen) (i32.const 8)))
                          (br $words)))
                      (local.set $mlen (i32.add (local.get $mlen) (i32.shr_u (i32.wrap_i64 (i64.ctz (local.get $diff))) (i32.const 3))))
                      (i32.const 1))))
                (block $tail
                  (loop $t
                    (br_if $tail (i32.ge_u (i32.add (local.get $ip) (local.get $mlen)) (local.get $matchlimit)))
                    (br_if $tail (i32.ne (i32.load8_u (i32.add (local.get $ip) (local.get $mlen)))
                                         (i32.load8_u (i32.add (local.get $ref) (local.get $mlen)))))
                    (local.set $mlen (i32.add (local.get $mlen) (i32.const 1)))
                    (br $t)))))
            ;; The sequence: token, literals, offset, match length.
            (local.set $token (local.get $op))
            (local.set $op (call $literals (local.get $op) (local.get $anchor) (i32.sub (local.get $ip) (local.get $anchor))))
            (i32.store16 (local.get $op) (i32.sub (local.get $ip) (local.get $ref)))
            (local.set $op (i32.add (local.get $op) (i32.const 2)))
            (if (i32.ge_u (local.get $mlen) (i32.const 19))
              (then
                (i32.store8 (local.get $token) (i32.or (i32.load8_u (local.get $token)) (i32.const 15)))
                (local.set $op (call $length (local.get $op) (i32.sub (local.get $mlen) (i32.const 19)))))
              (else
                (i32.store8 (local.get $token) (i32.or (i32.load8_u (local.get $token)) (i32.sub (local.get $mlen) (i32.const 4))))))
            (local.set $ip (i32.add (local.get $ip) (local.get $mlen)))
            (local.set $anchor (local.get $ip))
            (br_if $done (i32.gt_u (local.get $ip) (local.get $mflimit)))
            ;; As the reference does: remember the position two bytes back.
            (i32.store (call $hash (i32.load (i32.sub (local.get $ip) (i32.const 2)))) (i32.sub (local.get $ip) (i32.const 2)))
            (br $sequence)))))
    (local.set $op (call $literals (local.get $op) (local.get $anchor) (i32.sub (local.get $end) (local.get $anchor))))
    (i32.sub (local.get $op) (local.get $dst))))
