import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the server at /console/ (server.consoleStaticDir); `npm run dev -w server/console` proxies the API
// to a running server on :3000.
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  resolve: { alias: { '@member/shared': fileURLToPath(new URL('../../shared/src/index.ts', import.meta.url)) } },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
