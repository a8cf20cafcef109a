meta:
  id: dirpack
  title: Kloset dirpack stream (the children of one directory)
  endian: le
  ks-version: '0.10'
doc: |
  The content of a dirpack object (the RT_OBJECT named by the snapshot's `dirpack` index for a
  directory path): its chunks concatenated, decoded. A sequence of frames, one per direct child,
  ordered by child name bytewise, until the end of the stream. An empty directory has an empty
  stream.
doc-ref: spec/ptar.md §18
seq:
  - id: frames
    type: frame
    repeat: eos
types:
  frame:
    seq:
      - id: frame_type
        type: u1
        enum: frame_type
        doc: Informational; readers rely on the entry's mode.
      - id: length
        type: u4
        valid:
          min: 32
        doc: Length of the entry bytes plus 32.
      - id: entry
        size: length - 32
        doc: The msgpack VFS entry, byte-identical to its RT_VFS_ENTRY blob.
      - id: entry_mac
        size: 32
        doc: MAC of `entry` = its RT_VFS_ENTRY identifier.
enums:
  frame_type:
    1: directory
    2: file
