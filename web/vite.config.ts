/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `vite dev` talks to a running capconf (same origin for the page, as in production).
const server = process.env.CAPCONF_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The configure page's chunk is rjsf, ajv and its formats (~500 kB, 160 kB gzipped), loaded
    // only with that page.
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: {
      '/api': server,
      '/public': server,
    },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
    // The theme's ES build imports 'react-bootstrap/Form' (a folder), which Node's own ESM loader
    // refuses; run it through Vite's resolver as the bundle does.
    server: { deps: { inline: ['@rjsf/react-bootstrap'] } },
  },
});
