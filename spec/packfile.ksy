meta:
  id: packfile
  title: Kloset packfile body
  endian: le
  ks-version: '0.10'
doc: |
  The body of a wrapped packfile: the bytes between the 16-byte wrapper header and the 32-byte
  MAC (in a ptar: file offset packfileOffset + 16, length packfileLength - 48).

    data section   ENCODE(blob_0) ‖ ENCODE(blob_1) ‖ ...      (length = footer.index_offset)
    ENCODE(raw index)                                         (N records of 56 bytes once decoded)
    ENCODE(raw footer)                                        (56 bytes once decoded)
    u4 length of ENCODE(raw footer)

  ENCODE(x) = ENCRYPT(COMPRESS(x)), each step present only if the configuration asks for it, so
  the index and the footer can only be parsed after decoding: `raw_footer` and `raw_index` (and
  `index_record`) are the structures of the DECODED bytes. Offsets in index records are relative
  to the start of this body.
doc-ref: spec/ptar.md §9
instances:
  encoded_footer_length:
    pos: _io.size - 4
    type: u4
  encoded_footer:
    pos: _io.size - 4 - encoded_footer_length
    size: encoded_footer_length
    doc: ENCODE(raw footer); decode it, then parse it as raw_footer.
  data_and_index:
    pos: 0
    size: _io.size - 4 - encoded_footer_length
    doc: |
      The data section followed by ENCODE(raw index). The encoded index starts at
      raw_footer.index_offset.
types:
  raw_footer:
    doc: The 56-byte footer, decoded.
    seq:
      - id: timestamp
        type: s8
        doc: Unix nanoseconds (0 in ptar packfiles).
      - id: count
        type: u4
        doc: Number of index records.
      - id: index_offset
        type: u8
        doc: Length of the data section = offset of ENCODE(raw index) in the body.
      - id: index_mac
        size: 32
        doc: MAC of the raw (decoded) index bytes.
      - id: flags
        type: u4
  raw_index:
    doc: The raw index, decoded; its length is a multiple of 56.
    seq:
      - id: records
        type: index_record
        repeat: eos
  index_record:
    doc: One blob of the packfile.
    seq:
      - id: resource_type
        type: u4
        doc: Blob type (see kloset_wrapper::resource_type); always < 256.
      - id: version
        type: u4
        doc: Blob format version, packed (1.0.0 = 0x00010000).
      - id: mac
        size: 32
        doc: Blob identifier.
      - id: offset
        type: u8
        doc: Offset of ENCODE(blob) from the start of the packfile body.
      - id: length
        type: u4
        doc: Length of ENCODE(blob).
      - id: flags
        type: u4
