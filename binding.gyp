{
  "targets": [
    {
      "target_name": "ptar_native",
      "sources": ["format/native/addon.c", "format/native/gcmsiv.c"],
      "cflags": ["-O3"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
