import { createRequire } from 'node:module';
import * as path from 'node:path';
import { defineConfig } from 'vitest/config';
import { TestSequencer } from './test/support/sequencer.mjs';

const root = import.meta.dirname;
const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@app\/migrations$/, replacement: path.join(root, 'migrations/index.ts') },
      { find: /^@app\/proofs\/node$/, replacement: path.join(root, 'libs/proofs/src/node/index.ts') },
      { find: /^@app\/([a-z-]+)$/, replacement: path.join(root, 'libs/$1/src/index.ts') },
      // One copy of graphql for Nest, Apollo and the tests, or type identity breaks
      // ("Cannot determine a GraphQL output type").
      { find: /^graphql$/, replacement: require.resolve('graphql') },
    ],
  },
  test: {
    include: ['libs/**/*.spec.ts', 'apps/**/*.spec.ts', 'test/**/*.spec.ts', 'test/**/*.e2e-spec.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Each worker imports the app's modules once and runs its files one after another
    // (importing Nest, TypeORM and Apollo per file was half the run's CPU time);
    // per-file.ts undoes what a file changed in the process (env, spies, an app left open).
    setupFiles: ['test/support/per-file.ts'],
    isolate: false,
    pool: 'forks',
    // Two cores: one worker per core (the tests' own PostgreSQL and child servers share them).
    maxWorkers: 2,
    // The build of dist/ starts beside the first files; the files that need it come after them.
    sequence: { sequencer: TestSequencer },
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/results.json' },
  },
});
