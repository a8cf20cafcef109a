meta:
  id: kloset_wrapper
  title: Kloset resource wrapper (configuration, state, packfile, lock)
  file-extension: kloset
  endian: le
  ks-version: '0.10'
doc: |
  Every storage-level resource of a Kloset store (the configuration, a state, a packfile, a
  lock) is stored wrapped: a 16-byte header, the body, and a 32-byte MAC computed over the header
  and the body. In a ptar archive the three sections named by the trailer are wrapped resources.
  The body of a configuration is raw msgpack; the body of a state or a lock is ENCODE(...), and
  the body of a packfile is described by packfile.ksy. Which MAC key seals which resource:
  spec/ptar.md, section "Which key for which MAC".
doc-ref: spec/ptar.md §4
seq:
  - id: header
    type: header
  - id: body
    size: _io.size - 16 - 32
  - id: mac
    size: 32
    doc: MAC over header and body (bytes [0, 16 + len(body))).
types:
  header:
    seq:
      - id: magic
        type: str
        size: 8
        encoding: ASCII
        valid:
          any-of:
            - '"_KLOSET_"'
            - '"_PLAKAR_"'
        doc: |
          "_KLOSET_" is written; "_PLAKAR_" (pre-release betas) must still be accepted by readers.
      - id: resource_type
        type: u4
        enum: resource_type
      - id: version
        type: version
  version:
    doc: A Kloset version major.minor.patch packed as major << 16 | minor << 8 | patch.
    seq:
      - id: packed
        type: u4
    instances:
      major:
        value: packed >> 16
      minor:
        value: (packed >> 8) & 0xff
      patch:
        value: packed & 0xff
enums:
  resource_type:
    1: config
    2: lock
    3: state
    4: packfile
    5: snapshot
    6: signature
    7: object
    9: chunk
    10: vfs_btree
    11: vfs_node
    12: vfs_entry
    13: error_btree
    14: error_node
    15: error_entry
    16: xattr_btree
    17: xattr_node
    18: xattr_entry
    19: btree_root
    20: btree_node
    21: vfs_summary
    255: random
