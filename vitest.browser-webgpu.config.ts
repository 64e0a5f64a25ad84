// The conformance suite on the webgpu backend inside headless Chromium (its WebGPU adapter is
// SwiftShader, a CPU Vulkan): `npm run test:browser-webgpu`. The same test files and harness as
// `npm run test:webgpu` (Node + Dawn), so both WebGPU implementations are held to one suite.
// Debian's /usr/bin/chromium is driven through playwright; no browser is downloaded.
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
  test: {
    include: ['test/browser-webgpu/**/*.spec.ts', 'test/conformance/**/*.test.ts', 'test/jit/jit-conformance.test.ts'],
    setupFiles: ['test/webgpu/conformance-setup.ts'],
    env: { NABLA_BACKENDS: 'webgpu' },
    testTimeout: 120_000,
    hookTimeout: 120_000,
    browser: {
      enabled: true,
      headless: true,
      // A failure's message says what differs; a screenshot of the blank page adds nothing.
      screenshotFailures: false,
      provider: playwright({
        launchOptions: {
          executablePath: chromium,
          args: ['--headless=new', '--no-sandbox', '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
        },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
