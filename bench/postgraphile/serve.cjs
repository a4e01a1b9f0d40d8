// PostGraphile 4.14 on the tracker's own database (the tables as the migrations made them), for
// bench/nested-page.bench.ts: the anchor it compares the tracker with. Settings as its docs advise
// for production (no query log, no watch, no stack traces); its own pool of 10 connections.
// Usage: DATABASE_URL=... PORT=... node bench/postgraphile/serve.cjs
'use strict';
const http = require('node:http');
const { postgraphile } = require('postgraphile');

const handler = postgraphile(process.env.DATABASE_URL, 'public', {
  disableQueryLog: true,
  watchPg: false,
  graphiql: false,
  showErrorStack: false,
  ignoreRBAC: false,
  retryOnInitFail: false,
  disableDefaultMutations: true,
});
http.createServer(handler).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('postgraphile ready'));
