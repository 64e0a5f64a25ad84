// Preloaded (node --import) by scripts/test-arm64.mjs into Node under qemu: the processes that Node,
// vitest and the tests start with process.execPath go through the script that runs them under qemu
// (the kernel cannot start an arm64 program itself where binfmt_misc is absent).
if (process.env.NABLA_ARM64_NODE) process.execPath = process.env.NABLA_ARM64_NODE;
