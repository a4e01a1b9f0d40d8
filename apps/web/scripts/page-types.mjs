// The page's GraphQL types, generated from the API's schema (gql.tada).
//
//   npm run generate:web-types   writes apps/web/schema.graphql (the API's SDL,
//                                printed from the server's code) and
//                                apps/web/src/graphql-env.d.ts (gql.tada's
//                                introspection types); commit both.
//   npm run check:web-types      (in npm run lint) fails when either is out of
//                                date with the server's code.
//
// The server is code-first: its schema exists only in memory. The SDL is
// printed by apps/api/src/web/print-schema.ts, run through vite's module runner
// (the transform the tests use: it keeps the decorators' type metadata that
// Nest's GraphQL reads, which plain esbuild/tsx drop), with no database.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const tsconfig = path.join(root, 'apps/web/tsconfig.json');
const schemaFile = path.join(root, 'apps/web/schema.graphql');
const typesFile = path.join(root, 'apps/web/src/graphql-env.d.ts');
const check = process.argv.includes('--check');

/** gql.tada's own CLI (`gql.tada generate output`): the introspection types of the schema its tsconfig names. */
function generateOutput(output) {
  const cli = path.join(root, 'node_modules/.bin/gql.tada');
  execFileSync(cli, ['generate', 'output', '--tsconfig', tsconfig, ...(output ? ['--output', output] : [])], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function apiSchema() {
  const { module } = await runnerImport(path.join(root, 'apps/api/src/web/print-schema.ts'), {
    configFile: false,
    root,
    logLevel: 'error',
    resolve: {
      alias: [
        { find: /^@app\/migrations$/, replacement: path.join(root, 'migrations/index.ts') },
        { find: /^@app\/proofs\/node$/, replacement: path.join(root, 'libs/proofs/src/node/index.ts') },
        { find: /^@app\/([a-z-]+)$/, replacement: path.join(root, 'libs/$1/src/index.ts') },
      ],
    },
  });
  return module.printApiSchema();
}

const read = (file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
const rel = (file) => path.relative(root, file);

async function main() {
  const sdl = await apiSchema();
  if (!check) {
    fs.writeFileSync(schemaFile, sdl);
    generateOutput();
    process.stdout.write(`wrote ${rel(schemaFile)} and ${rel(typesFile)}\n`);
    return 0;
  }
  const stale = [];
  if (read(schemaFile) !== sdl) stale.push(rel(schemaFile));
  else {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'page-types-'));
    try {
      const fresh = path.join(tmp, 'graphql-env.d.ts');
      generateOutput(fresh);
      if (read(fresh) !== read(typesFile)) stale.push(rel(typesFile));
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  if (stale.length === 0) return 0;
  process.stderr.write(
    `${stale.join(' and ')}: out of date with the API's schema. Run npm run generate:web-types and commit the result.\n`,
  );
  return 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
