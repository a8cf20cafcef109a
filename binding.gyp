{
  "targets": [
    {
      "target_name": "ptar_native",
      "sources": [
        "format/native/addon.c",
        "format/native/aeskw.c",
        "format/native/blake3.c",
        "format/native/entropy.c",
        "format/native/gcmsiv.c",
        "format/native/lz4.c"
      ],
      "cflags": ["-O3", "-ffp-contract=off"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
