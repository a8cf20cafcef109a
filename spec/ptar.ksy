meta:
  id: ptar
  title: Plakar ptar archive
  application: Plakar / Kloset
  file-extension: ptar
  endian: le
  ks-version: '0.10'
  imports:
    - kloset_wrapper
    - packfile
doc: |
  A ptar archive: a Kloset repository holding exactly one configuration, one packfile and one
  state in a single file. The 12-byte header is followed by the wrapped configuration (always at
  offset 12), the wrapped packfile and the wrapped state; a 48-byte trailer at the very end of the
  file gives the offset and length of each section. Readers locate the sections through the
  trailer only.

  The state body and everything inside the packfile are ENCODE(...)d (compressed and/or
  encrypted as the configuration says): decode them, then use state.ksy, packfile.ksy and
  dirpack.ksy on the decoded bytes.
doc-ref: spec/ptar.md §3
seq:
  - id: magic
    contents: "_PLATAR_"
  - id: version
    type: kloset_wrapper::version
    doc: Container version; 1.0.0 is the only version ever written.
instances:
  trailer:
    pos: _io.size - 48
    type: trailer
  config:
    pos: trailer.config_offset
    size: trailer.config_length
    type: wrapped_resource
    doc: Wrapped configuration (resource type 1); body = raw msgpack.
  packfile:
    pos: trailer.packfile_offset
    size: trailer.packfile_length
    type: wrapped_resource
    doc: Wrapped packfile (resource type 4); body = packfile.ksy.
  state:
    pos: trailer.state_offset
    size: trailer.state_length
    type: wrapped_resource
    doc: Wrapped state (resource type 3); body = ENCODE(state stream), see state.ksy.
  packfile_body:
    pos: trailer.packfile_offset + 16
    size: trailer.packfile_length - 48
    type: packfile
    doc: The packfile body, parsed (footer length and encoded footer).
types:
  trailer:
    doc: Six signed 64-bit little-endian integers; no magic, no checksum.
    seq:
      - id: config_offset
        type: s8
        valid: 12
      - id: config_length
        type: s8
        valid:
          min: 1
          max: 32768
      - id: packfile_offset
        type: s8
      - id: packfile_length
        type: s8
      - id: state_offset
        type: s8
      - id: state_length
        type: s8
  wrapped_resource:
    doc: |
      One section: a Kloset wrapped resource (the same layout as kloset_wrapper.ksy): 16-byte
      header (magic, resource type, version), body, 32-byte MAC over header and body.
    seq:
      - id: header
        type: kloset_wrapper::header
      - id: body
        size: _io.size - 16 - 32
      - id: mac
        size: 32
