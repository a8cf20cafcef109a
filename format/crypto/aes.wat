;; AES encryption (FIPS 197) for the short messages of AES-GCM-SIV: per-nonce key derivation, the
;; tag, and the counter-mode keystream of small blobs, where setting up an OpenSSL cipher costs
;; more than the blocks. Table-driven ("T-tables"), so, like every table-driven AES, not
;; constant-time against an attacker measuring this process's cache timing (see aes.ts).
;;
;; State words are little-endian: byte r of column c is bits 8r..8r+7 of word c. With ShiftRows and
;; MixColumns folded into the tables, output column c of a round is
;;   T0[s_c & 255] ^ T1[s_(c+1) >> 8 & 255] ^ T2[s_(c+2) >> 16 & 255] ^ T3[s_(c+3) >> 24] ^ rk
;; where T0[x] = (2·S[x], S[x], S[x], 3·S[x]) as a little-endian word and T1..T3 are T0 rotated left
;; by 8, 16, 24 bits. The caller (aes.ts) writes the tables and the S-box at instantiation.
;;
;; Memory (one page):
;;   T0..T3 [0, 4096)     four tables of 256 words
;;   SBOX   [4096, 4352)  S-box bytes
;;   KEY    [4352, 4384)  the key, written by the caller before expand()
;;   RK     [4384, 4624)  round keys, 4·(rounds+1) words
;;   CTR    [4624, 4640)  counter block for ctr(): LE32 counter ‖ 12 fixed bytes
;;   DATA   [4640, 65536) blocks encrypted in place by ecb(), data XORed by ctr()
(module
  (memory (export "memory") 1)
  (global $rounds (mut i32) (i32.const 14))

  ;; S-box applied to each byte of a word.
  (func $subWord (param $w i32) (result i32)
    (i32.or
      (i32.or
        (i32.load8_u offset=4096 (i32.and (local.get $w) (i32.const 255)))
        (i32.shl (i32.load8_u offset=4096 (i32.and (i32.shr_u (local.get $w) (i32.const 8)) (i32.const 255))) (i32.const 8)))
      (i32.or
        (i32.shl (i32.load8_u offset=4096 (i32.and (i32.shr_u (local.get $w) (i32.const 16)) (i32.const 255))) (i32.const 16))
        (i32.shl (i32.load8_u offset=4096 (i32.shr_u (local.get $w) (i32.const 24))) (i32.const 24)))))

  ;; Key schedule of the nk-word key at KEY (nk = 4 or 8) into RK.
  (func (export "expand") (param $nk i32)
    (local $i i32) (local $end i32) (local $t i32) (local $rcon i32)
    (global.set $rounds (i32.add (local.get $nk) (i32.const 6)))
    (local.set $end (i32.shl (i32.add (global.get $rounds) (i32.const 1)) (i32.const 2)))
    (local.set $i (i32.const 0))
    (loop $copy
      (i32.store offset=4384 (i32.shl (local.get $i) (i32.const 2)) (i32.load offset=4352 (i32.shl (local.get $i) (i32.const 2))))
      (br_if $copy (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $nk))))
    (local.set $rcon (i32.const 1))
    (loop $next
      (local.set $t (i32.load offset=4380 (i32.shl (local.get $i) (i32.const 2))))
      (if (i32.eqz (i32.rem_u (local.get $i) (local.get $nk)))
        (then
          ;; RotWord is a right rotation of a little-endian word; Rcon goes into its first byte.
          (local.set $t (i32.xor (call $subWord (i32.rotr (local.get $t) (i32.const 8))) (local.get $rcon)))
          (local.set $rcon (i32.and (i32.xor (i32.shl (local.get $rcon) (i32.const 1))
                                             (i32.mul (i32.shr_u (local.get $rcon) (i32.const 7)) (i32.const 0x1b)))
                                    (i32.const 255))))
        (else
          (if (i32.and (i32.gt_u (local.get $nk) (i32.const 6)) (i32.eq (i32.rem_u (local.get $i) (local.get $nk)) (i32.const 4)))
            (then (local.set $t (call $subWord (local.get $t)))))))
      (i32.store offset=4384 (i32.shl (local.get $i) (i32.const 2))
        (i32.xor (local.get $t) (i32.load offset=4384 (i32.shl (i32.sub (local.get $i) (local.get $nk)) (i32.const 2)))))
      (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $end)))))

  ;; Encrypts the block at $p in place under RK.
  (func $block (param $p i32)
    (local $s0 i32) (local $s1 i32) (local $s2 i32) (local $s3 i32)
    (local $t0 i32) (local $t1 i32) (local $t2 i32) (local $t3 i32) (local $k i32) (local $last i32)
    (local.set $s0 (i32.xor (i32.load (local.get $p)) (i32.load offset=4384 (i32.const 0))))
    (local.set $s1 (i32.xor (i32.load offset=4 (local.get $p)) (i32.load offset=4388 (i32.const 0))))
    (local.set $s2 (i32.xor (i32.load offset=8 (local.get $p)) (i32.load offset=4392 (i32.const 0))))
    (local.set $s3 (i32.xor (i32.load offset=12 (local.get $p)) (i32.load offset=4396 (i32.const 0))))
    (local.set $k (i32.const 16))
    (local.set $last (i32.shl (global.get $rounds) (i32.const 4)))
    (loop $round
      (local.set $t0 (i32.xor (i32.xor
        (i32.xor (i32.load (i32.shl (i32.and (local.get $s0) (i32.const 255)) (i32.const 2)))
                 (i32.load offset=1024 (i32.shl (i32.and (i32.shr_u (local.get $s1) (i32.const 8)) (i32.const 255)) (i32.const 2))))
        (i32.xor (i32.load offset=2048 (i32.shl (i32.and (i32.shr_u (local.get $s2) (i32.const 16)) (i32.const 255)) (i32.const 2)))
                 (i32.load offset=3072 (i32.shl (i32.shr_u (local.get $s3) (i32.const 24)) (i32.const 2)))))
        (i32.load offset=4384 (local.get $k))))
      (local.set $t1 (i32.xor (i32.xor
        (i32.xor (i32.load (i32.shl (i32.and (local.get $s1) (i32.const 255)) (i32.const 2)))
                 (i32.load offset=1024 (i32.shl (i32.and (i32.shr_u (local.get $s2) (i32.const 8)) (i32.const 255)) (i32.const 2))))
        (i32.xor (i32.load offset=2048 (i32.shl (i32.and (i32.shr_u (local.get $s3) (i32.const 16)) (i32.const 255)) (i32.const 2)))
                 (i32.load offset=3072 (i32.shl (i32.shr_u (local.get $s0) (i32.const 24)) (i32.const 2)))))
        (i32.load offset=4388 (local.get $k))))
      (local.set $t2 (i32.xor (i32.xor
        (i32.xor (i32.load (i32.shl (i32.and (local.get $s2) (i32.const 255)) (i32.const 2)))
                 (i32.load offset=1024 (i32.shl (i32.and (i32.shr_u (local.get $s3) (i32.const 8)) (i32.const 255)) (i32.const 2))))
        (i32.xor (i32.load offset=2048 (i32.shl (i32.and (i32.shr_u (local.get $s0) (i32.const 16)) (i32.const 255)) (i32.const 2)))
                 (i32.load offset=3072 (i32.shl (i32.shr_u (local.get $s1) (i32.const 24)) (i32.const 2)))))
        (i32.load offset=4392 (local.get $k))))
      (local.set $t3 (i32.xor (i32.xor
        (i32.xor (i32.load (i32.shl (i32.and (local.get $s3) (i32.const 255)) (i32.const 2)))
                 (i32.load offset=1024 (i32.shl (i32.and (i32.shr_u (local.get $s0) (i32.const 8)) (i32.const 255)) (i32.const 2))))
        (i32.xor (i32.load offset=2048 (i32.shl (i32.and (i32.shr_u (local.get $s1) (i32.const 16)) (i32.const 255)) (i32.const 2)))
                 (i32.load offset=3072 (i32.shl (i32.shr_u (local.get $s2) (i32.const 24)) (i32.const 2)))))
        (i32.load offset=4396 (local.get $k))))
      (local.set $s0 (local.get $t0))
      (local.set $s1 (local.get $t1))
      (local.set $s2 (local.get $t2))
      (local.set $s3 (local.get $t3))
      (br_if $round (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 16))) (local.get $last))))
    ;; Last round: SubBytes and ShiftRows only.
    (i32.store (local.get $p) (i32.xor (call $last (local.get $s0) (local.get $s1) (local.get $s2) (local.get $s3))
                                       (i32.load offset=4384 (local.get $k))))
    (i32.store offset=4 (local.get $p) (i32.xor (call $last (local.get $s1) (local.get $s2) (local.get $s3) (local.get $s0))
                                                (i32.load offset=4388 (local.get $k))))
    (i32.store offset=8 (local.get $p) (i32.xor (call $last (local.get $s2) (local.get $s3) (local.get $s0) (local.get $s1))
                                                (i32.load offset=4392 (local.get $k))))
    (i32.store offset=12 (local.get $p) (i32.xor (call $last (local.get $s3) (local.get $s0) (local.get $s1) (local.get $s2))
                                                 (i32.load offset=4396 (local.get $k)))))

  ;; One column of the last round: S-box of byte 0 of a, byte 1 of b, byte 2 of c, byte 3 of d.
  (func $last (param $a i32) (param $b i32) (param $c i32) (param $d i32) (result i32)
    (i32.or
      (i32.or
        (i32.load8_u offset=4096 (i32.and (local.get $a) (i32.const 255)))
        (i32.shl (i32.load8_u offset=4096 (i32.and (i32.shr_u (local.get $b) (i32.const 8)) (i32.const 255))) (i32.const 8)))
      (i32.or
        (i32.shl (i32.load8_u offset=4096 (i32.and (i32.shr_u (local.get $c) (i32.const 16)) (i32.const 255))) (i32.const 16))
        (i32.shl (i32.load8_u offset=4096 (i32.shr_u (local.get $d) (i32.const 24))) (i32.const 24)))))

  ;; ECB: encrypts nblocks blocks at DATA in place.
  (func (export "ecb") (param $nblocks i32)
    (local $p i32) (local $end i32)
    (local.set $p (i32.const 4640))
    (local.set $end (i32.add (i32.const 4640) (i32.shl (local.get $nblocks) (i32.const 4))))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (call $block (local.get $p))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $blocks))))

  ;; GCM-SIV's counter mode: XORs DATA[0, len) with AES(CTR), AES(CTR + 1), ..., where the counter
  ;; is CTR's first four bytes as a little-endian integer, wrapping modulo 2^32 (RFC 8452 section 4).
  (func (export "ctr") (param $len i32)
    (local $p i32) (local $end i32) (local $n i32) (local $i i32)
    (local.set $p (i32.const 4640))
    (local.set $end (i32.add (i32.const 4640) (local.get $len)))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        ;; The keystream block is made in the 16 bytes just below DATA's free space: past the end.
        (i64.store offset=0 (i32.const 65520) (i64.load offset=4624 (i32.const 0)))
        (i64.store offset=8 (i32.const 65520) (i64.load offset=4632 (i32.const 0)))
        (call $block (i32.const 65520))
        (i32.store offset=4624 (i32.const 0) (i32.add (i32.load offset=4624 (i32.const 0)) (i32.const 1)))
        (local.set $n (i32.sub (local.get $end) (local.get $p)))
        (if (i32.ge_u (local.get $n) (i32.const 16))
          (then
            (i64.store (local.get $p) (i64.xor (i64.load (local.get $p)) (i64.load (i32.const 65520))))
            (i64.store offset=8 (local.get $p) (i64.xor (i64.load offset=8 (local.get $p)) (i64.load offset=8 (i32.const 65520)))))
          (else
            (local.set $i (i32.const 0))
            (loop $bytes
              (i32.store8 (i32.add (local.get $p) (local.get $i))
                (i32.xor (i32.load8_u (i32.add (local.get $p) (local.get $i))) (i32.load8_u offset=65520 (local.get $i))))
              (br_if $bytes (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $blocks)))))
