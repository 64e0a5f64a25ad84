// The headless-Chromium test of the browser bundle: `npm run test:browser` (not part of `npm test`,
// since it needs Chromium; .ci/run installs it and runs this).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/browser/**/*.spec.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Each file drives its own Chromium; one at a time keeps the training page's time predictable.
    fileParallelism: false,
  },
});
