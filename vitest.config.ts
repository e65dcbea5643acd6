import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // two cores here and in CI: forks keep heavy suites from starving each other
    pool: 'forks',
    globalSetup: ['tests/global-setup.ts'],
  },
});
