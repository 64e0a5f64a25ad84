// The conformance suite on the webgpu backend: `npm run test:webgpu`. Without a WebGPU adapter the
// setup file fails and says why.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/conformance/**/*.test.ts'],
    setupFiles: ['test/webgpu/conformance-setup.ts'],
    env: { NABLA_BACKENDS: 'webgpu' },
    testTimeout: 120_000,
    pool: 'forks',
  },
});
