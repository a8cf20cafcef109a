meta:
  id: state
  title: Kloset repository state stream (decoded), versions 1.0.0 and 1.1.0
  endian: le
  ks-version: '0.10'
doc: |
  The DECODED body of a wrapped state (wrapper type 3). A state of version 1.1.0 (the wrapper
  header says 0x00010100) starts with the 32-byte id of its parent state; a state of version
  1.0.0 does not. Pass has_parent = (wrapper version == 1.1.0).

  Entries follow, each `type u1 ‖ length u4 ‖ payload`, until an entry of type 1 (metadata),
  which has NO length field and ends the stream. Entry types this description does not know are
  kept as raw payloads (readers skip them by length). ET_DELETE (6) only exists in 1.1.0: a
  1.0.0 reader skips it as unknown.
doc-ref: spec/ptar.md §10
params:
  - id: has_parent
    type: bool
    doc: True iff the state wrapper's version is exactly 1.1.0.
seq:
  - id: parent
    size: 32
    if: has_parent
    doc: State id of the parent state; all zero for a root state.
  - id: entries
    type: entry
    repeat: until
    repeat-until: _.entry_type == entry_type::metadata
types:
  entry:
    seq:
      - id: entry_type
        type: u1
        enum: entry_type
      - id: length
        type: u4
        if: entry_type != entry_type::metadata
        valid:
          expr: |
            (entry_type == entry_type::locations ? _ == 85 :
            (entry_type == entry_type::coloured ? _ == 41 :
            (entry_type == entry_type::packfile ? _ == 72 :
            (entry_type == entry_type::delete and _root.has_parent ? _ == 66 : true))))
      - id: payload
        size: length
        if: entry_type != entry_type::metadata
        type:
          switch-on: 'entry_type == entry_type::delete and not _root.has_parent ? 0 : entry_type.to_i'
          cases:
            2: location
            3: coloured
            4: packfile_entry
            5: configuration
            6: delete
      - id: metadata
        type: metadata
        if: entry_type == entry_type::metadata
  location:
    doc: ET_LOCATIONS, 85 bytes. Blob (type, mac) is stored in packfile `packfile` at body offset `offset`.
    seq:
      - id: blob_type
        type: u1
      - id: blob_version
        type: u4
      - id: mac
        size: 32
      - id: packfile
        size: 32
      - id: offset
        type: u8
      - id: length
        type: u4
        doc: Length of ENCODE(blob).
      - id: flags
        type: u4
  coloured:
    doc: ET_COLOURED, 41 bytes. A logically deleted resource (5 = snapshot, 4 = packfile).
    seq:
      - id: blob_type
        type: u1
      - id: mac
        size: 32
      - id: when
        type: u8
        doc: Unix nanoseconds.
  packfile_entry:
    doc: ET_PACKFILE, 72 bytes. The packfile exists and was created by state `state_id`.
    seq:
      - id: packfile
        size: 32
      - id: state_id
        size: 32
      - id: timestamp
        type: u8
        doc: Unix nanoseconds.
  configuration:
    doc: ET_CONFIGURATION, variable length. A key/value setting, last writer (created_at) wins.
    seq:
      - id: key_length
        type: u1
      - id: key
        size: key_length
        type: str
        encoding: UTF-8
      - id: value_length
        type: u2
      - id: value
        size: value_length
      - id: created_at
        type: u8
  delete:
    doc: ET_DELETE (1.1.0 only), 66 bytes. Removes a location (target 2), a coloured entry (3) or a packfile (4).
    seq:
      - id: target_entry_type
        type: u1
        enum: entry_type
      - id: blob_type
        type: u1
      - id: mac
        size: 32
      - id: packfile
        size: 32
  metadata:
    doc: ET_METADATA body (no length field). Must be the last bytes of the stream.
    seq:
      - id: version
        type: u4
        doc: State format version, packed (0x00010000 or 0x00010100).
      - id: timestamp
        type: u8
        doc: Unix nanoseconds.
      - id: serial
        size: 16
        doc: UUID.
enums:
  entry_type:
    1: metadata
    2: locations
    3: coloured
    4: packfile
    5: configuration
    6: delete
