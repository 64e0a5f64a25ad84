// The conformance suite (with the jitted-equals-eager suite and nb.signal against numpy) on the
// webgpu backend: `npm run test:webgpu`. Without a WebGPU adapter the setup file fails and says
// why. A case that cannot run there says so in the test itself (`onExcept` in the harness, or
// float64 cases), with its reason.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/conformance/**/*.test.ts', 'test/jit/jit-conformance.test.ts', 'test/signal/fft-numpy.test.ts'],
    setupFiles: ['test/webgpu/conformance-setup.ts'],
    env: { NABLA_BACKENDS: 'webgpu' },
    testTimeout: 120_000,
    pool: 'forks',
  },
});
