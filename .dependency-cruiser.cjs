/**
 * Architecture rules (../shared/CONVENTIONS.md), checked by `npm run lint`.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'libs-no-graphql',
      comment: 'Libs hold domain code; GraphQL types and resolvers live in apps/api.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^node_modules/@nestjs/(graphql|apollo)/|^node_modules/@apollo/' },
    },
    {
      name: 'libs-no-apps',
      comment: 'A lib never depends on a way in.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'lib-public-api-only',
      comment: 'Other code imports a lib through @app/<lib> (its index.ts), never a deep path.',
      severity: 'error',
      from: { path: '^(apps|libs)/([^/]+)/' },
      to: { path: '^libs/([^/]+)/src/.+', pathNot: ['^libs/$2/', '^libs/[^/]+/src/index\\.ts$', '^libs/proofs/src/node/index\\.ts$'] },
    },
    {
      name: 'web-api-only',
      comment: 'The dashboard page (apps/web, browser code) talks to the server through the GraphQL API only: it imports no server code.',
      severity: 'error',
      from: { path: '^apps/web/' },
      to: { path: '^(apps/(?!web/)|libs/|migrations/)' },
    },
    {
      name: 'server-not-web',
      comment: "The server serves the built page (dist/web) as files; it never imports the page's sources.",
      severity: 'error',
      from: { path: '^(apps|libs)/', pathNot: '^apps/web/' },
      to: { path: '^apps/web/' },
    },
    {
      name: 'proofs-isomorphic',
      comment:
        'libs/proofs is the formats and the verifier core, run by the server, the offline CLI and the browser verifier alike: no Node built-ins, no Nest, no other lib (its Node platform lives in libs/proofs/src/node/).',
      severity: 'error',
      from: { path: '^libs/proofs/src/', pathNot: '^libs/proofs/src/node/' },
      to: {
        path: '^(node:|libs/(?!proofs/)|libs/proofs/src/node/|node_modules/@nestjs/|node_modules/typeorm/)|^(fs|path|crypto|os|stream|zlib|buffer)$',
        dependencyTypes: ['core', 'npm', 'local', 'aliased', 'aliased-tsconfig', 'aliased-tsconfig-paths'],
      },
    },
    {
      name: 'verifier-offline',
      comment:
        'The offline verifier (apps/verifier) needs neither the server nor the database: it imports @app/proofs and nothing else of ours.',
      severity: 'error',
      from: { path: '^apps/verifier/' },
      to: { path: '^(apps/(?!verifier/)|libs/(?!proofs/)|migrations/)' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.spec\\.ts$' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
