import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    // Postgres tests create their own database per file; HTTP tests bind 127.0.0.1 ephemeral ports.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
