{
  "variables": {
    # openblas when NABLA_BLAS is not "none" and pkg-config finds it; see detect-blas.mjs.
    "nabla_blas%": "<!(node detect-blas.mjs)",
    # gloo (nb.distribute's collectives) when NABLA_COLLECTIVES is not "none" and it links; see detect-gloo.mjs.
    "nabla_collectives%": "<!(node detect-gloo.mjs)",
    "nabla_sanitize%": "<!(node -p \"process.env.NABLA_SANITIZE === '1' ? 1 : 0\")"
  },
  "target_defaults": {
    "cflags!": ["-fno-exceptions"],
    "cflags_cc!": ["-fno-exceptions"],
    # No fused multiply-adds but the ones written as intrinsics: results must match JS bit for bit.
    "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-ffp-contract=off"],
    "xcode_settings": {
      "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
      "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
      "GCC_OPTIMIZATION_LEVEL": "3",
      "OTHER_CPLUSPLUSFLAGS": ["-ffp-contract=off"]
    },
    "msvs_settings": { "VCCLCompilerTool": { "ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17"] } },
    "conditions": [
      ["nabla_sanitize==1", {
        "cflags_cc": ["-fsanitize=address", "-fno-omit-frame-pointer", "-g"],
        "ldflags": ["-fsanitize=address"],
        "defines": ["NABLA_SANITIZE"]
      }]
    ]
  },
  "targets": [
    {
      # The x86-64 micro-kernels, each built for its own instruction set; the addon calls them
      # only after cpuid says the CPU has it. Empty on other architectures.
      "target_name": "nabla_kernels_avx512",
      "type": "static_library",
      "sources": ["src/gemm/kernel-avx512.cc"],
      "conditions": [
        ["target_arch=='x64' and OS!='win'", { "cflags_cc": ["-mavx512f", "-mavx512dq", "-mfma"] }],
        ["target_arch=='x64' and OS=='mac'", { "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-mavx512f", "-mavx512dq", "-mfma"] } }],
        ["target_arch=='x64' and OS=='win'", { "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/arch:AVX512"] } } }]
      ]
    },
    {
      "target_name": "nabla_kernels_avx2",
      "type": "static_library",
      "sources": ["src/gemm/kernel-avx2.cc"],
      "conditions": [
        ["target_arch=='x64' and OS!='win'", { "cflags_cc": ["-mavx2", "-mfma"] }],
        ["target_arch=='x64' and OS=='mac'", { "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-mavx2", "-mfma"] } }],
        ["target_arch=='x64' and OS=='win'", { "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/arch:AVX2"] } } }]
      ]
    },
    {
      # The convolutions' AVX-512 tile product (conv-tile.h), called only after cpuid says the CPU has it.
      "target_name": "nabla_conv_avx512",
      "type": "static_library",
      "sources": ["src/conv-tile-avx512.cc", "src/conv-pool-direct-avx512.cc"],
      "conditions": [
        ["target_arch=='x64' and OS!='win'", { "cflags_cc": ["-mavx512f", "-mfma"] }],
        ["target_arch=='x64' and OS=='mac'", { "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-mavx512f", "-mfma"] } }],
        ["target_arch=='x64' and OS=='win'", { "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/arch:AVX512"] } } }]
      ]
    },
    {
      # The convolutions' AVX2 tile product (the same bits as the AVX-512 one), called only after cpuid says the CPU has AVX2 and FMA.
      "target_name": "nabla_conv_avx2",
      "type": "static_library",
      "sources": ["src/conv-tile-avx2.cc"],
      "conditions": [
        ["target_arch=='x64' and OS!='win'", { "cflags_cc": ["-mavx2", "-mfma"] }],
        ["target_arch=='x64' and OS=='mac'", { "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-mavx2", "-mfma"] } }],
        ["target_arch=='x64' and OS=='win'", { "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/arch:AVX2"] } } }]
      ]
    },
    {
      # The float32 elementwise loops (src/simd/elementwise-loops.h), once per instruction set, chosen
      # at run time. No contraction into multiply-adds, so every level gives the portable loops' bits.
      "target_name": "nabla_elementwise_avx512",
      "type": "static_library",
      "sources": ["src/simd/elementwise-loops-avx512.cc"],
      "conditions": [
        ["target_arch=='x64' and OS!='win'", { "cflags_cc": ["-mavx512f", "-mavx512dq", "-mavx512bw", "-mavx512vl", "-ffp-contract=off", "-fno-math-errno"] }],
        ["target_arch=='x64' and OS=='mac'", { "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-mavx512f", "-mavx512dq", "-mavx512bw", "-mavx512vl", "-ffp-contract=off", "-fno-math-errno"] } }],
        ["target_arch=='x64' and OS=='win'", { "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/arch:AVX512", "/fp:precise"] } } }]
      ]
    },
    {
      "target_name": "nabla_elementwise_avx2",
      "type": "static_library",
      "sources": ["src/simd/elementwise-loops-avx2.cc"],
      "conditions": [
        ["target_arch=='x64' and OS!='win'", { "cflags_cc": ["-mavx2", "-ffp-contract=off", "-fno-math-errno"] }],
        ["target_arch=='x64' and OS=='mac'", { "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-mavx2", "-ffp-contract=off", "-fno-math-errno"] } }],
        ["target_arch=='x64' and OS=='win'", { "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/arch:AVX2", "/fp:precise"] } } }]
      ]
    },
    {
      "target_name": "nabla",
      "dependencies": ["nabla_kernels_avx512", "nabla_kernels_avx2", "nabla_conv_avx512", "nabla_conv_avx2", "nabla_elementwise_avx512", "nabla_elementwise_avx2"],
      "sources": [
        "src/addon.cc",
        "src/cpu.cc",
        "src/thread-pool.cc",
        "src/strided-plan.cc",
        "src/unary.cc",
        "src/binary.cc",
        "src/copy.cc",
        "src/reduce.cc",
        "src/matmul.cc",
        "src/conv.cc",
        "src/conv-tiled.cc",
        "src/conv-winograd.cc",
        "src/pool.cc",
        "src/conv-pool.cc",
        "src/conv-pool-direct.cc",
        "src/heap.cc",
        "src/fused.cc",
        "src/softmax-rows.cc",
        "src/gather-kernels.cc",
        "src/gather-nd-kernels.cc",
        "src/structure-kernels.cc",
        "src/scan-kernels.cc",
        "src/argsort-kernel.cc",
        "src/kernel-entries.cc",
        "src/random-kernels.cc",
        "src/plan.cc",
        "src/fft.cc",
        "src/linalg/linalg-entry.cc",
        "src/linalg/cholesky.cc",
        "src/linalg/triangular-solve.cc",
        "src/linalg/qr.cc",
        "src/linalg/lu.cc",
        "src/gemm/gemm.cc",
        "src/gemm/kernel-scalar.cc",
        "src/gemm/kernel-neon.cc",
        "src/simd/elementwise-loops-portable.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      # Elementwise kernels must round like JS: no fused multiply-adds the source did not ask for.
      # No kernel reads errno, so sqrt can be the instruction (with errno, every negative input
      # took a library call and the loop did not vectorise).
      "cflags_cc": ["-ffp-contract=off", "-fno-math-errno"],
      "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-ffp-contract=off", "-fno-math-errno"] },
      "conditions": [
        ["OS=='linux'", { "libraries": ["-pthread"], "cflags_cc": ["-pthread"] }],
        ["nabla_blas=='openblas'", {
          "defines": ["NABLA_HAVE_OPENBLAS"],
          "cflags_cc": ["<!@(pkg-config --cflags openblas)"],
          "libraries": ["<!@(pkg-config --libs openblas)"]
        }],
        ["nabla_collectives=='gloo'", {
          "defines": ["NABLA_HAVE_GLOO"],
          "sources": [
            "src/collectives/tcp-store.cc",
            "src/collectives/process-group.cc",
            "src/collectives/collectives-binding.cc"
          ],
          "libraries": ["-lgloo"]
        }]
      ]
    }
  ]
}
