import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    // Postgres tests create their own database per file; HTTP tests bind 127.0.0.1 ephemeral ports.
    // Two files at a time: most of a test's time is waiting (Postgres, fsync, child processes, timers),
    // so two workers on two cores halve the suite's time.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
