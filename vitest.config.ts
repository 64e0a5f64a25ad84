import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Fails the run when a required backend is missing (NABLA_REQUIRE_BACKENDS, or native under CI).
    globalSetup: ['test/setup/required-backends.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
