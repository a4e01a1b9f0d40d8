import { createRequire } from 'node:module';
import * as path from 'node:path';
import { defineConfig } from 'vitest/config';

const root = import.meta.dirname;
const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@app\/migrations$/, replacement: path.join(root, 'migrations/index.ts') },
      { find: /^@app\/([a-z-]+)$/, replacement: path.join(root, 'libs/$1/src/index.ts') },
      // One copy of graphql for Nest, Apollo and the tests, or type identity breaks
      // ("Cannot determine a GraphQL output type").
      { find: /^graphql$/, replacement: require.resolve('graphql') },
    ],
  },
  test: {
    include: ['libs/**/*.spec.ts', 'apps/**/*.spec.ts', 'test/**/*.spec.ts', 'test/**/*.e2e-spec.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/results.json' },
  },
});
