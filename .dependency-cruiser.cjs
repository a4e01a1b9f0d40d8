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
      to: { path: '^libs/([^/]+)/src/.+', pathNot: ['^libs/$2/', '^libs/[^/]+/src/index\\.ts$'] },
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
