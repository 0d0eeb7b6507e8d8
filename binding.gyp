{
  "targets": [
    {
      "target_name": "rle_kernels",
      "sources": ["native/addon.c", "native/pool.c", "native/sgemm.c", "native/ops.c", "native/act.c", "native/layer.c", "native/attention.c"],
      "cflags": ["-O3", "-std=c11", "-fno-strict-aliasing", "-fno-math-errno", "-fopenmp-simd", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "cflags!": ["-O2"],
      "libraries": ["-lpthread", "-lm"],
      # nodelete: a worker thread's exit dlcloses the addon while the pool's threads and the
      # per-thread GEMM scratch's destructor still need its code (SIGSEGV at a worker's exit).
      "ldflags": ["-Wl,-z,nodelete"],
      "defines": ["NAPI_VERSION=8", "_POSIX_C_SOURCE=200809L"]
    }
  ]
}
