import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A guard against a hang, not a measure: the tests that spawn many processes take 20 s and more
    // when three workers share two cores.
    testTimeout: 60_000,
    // The end-to-end suites mostly wait (on GitHub's one write a second, which the app keeps to):
    // one worker per spare core, vitest's default, would leave the machine idle most of the run.
    maxWorkers: 3,
  },
});
