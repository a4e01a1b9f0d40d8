import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The dashboard page. `vite build apps/web` (part of `npm run build`) writes it
 * to dist/web, which the API server serves at `/` (apps/api/src/web/).
 * `vite apps/web` serves it on :5173 for development, with /graphql (HTTP and
 * WebSocket) and the proofs' downloads proxied to the API on :3000.
 */
export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    // No source maps: the shipped page neither serves nor references a .map (sources stay private).
    sourcemap: false,
    // Nothing inlined as data: URLs, so the page's CSP needs no `data:` source.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1000,
  },
  server: {
    proxy: {
      '/graphql': { target: 'http://localhost:3000', ws: true },
      // The proofs panel's downloads: evidence bundles, the offline verifier, the keys document.
      '/bundles': 'http://localhost:3000',
      '/verify.html': 'http://localhost:3000',
      '/.well-known': 'http://localhost:3000',
    },
  },
});
