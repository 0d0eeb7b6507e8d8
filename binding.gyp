{
  "targets": [
    {
      "target_name": "rle_kernels",
      "sources": ["native/addon.c", "native/sgemm.c", "native/ops.c"],
      "cflags": ["-O3", "-std=c11", "-fno-strict-aliasing"],
      "cflags!": ["-O2"],
      "libraries": ["-lpthread", "-lm"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
