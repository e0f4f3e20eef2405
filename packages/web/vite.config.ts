import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  build: {
    // scripts/after-build.js reads it to measure the user center's initial JavaScript.
    manifest: true,
    // The app needs nothing newer than what evergreen browsers have had for years.
    target: 'es2022',
    // The charts chunk (ECharts, about 550 kB) loads only on the admin overview.
    chunkSizeWarningLimit: 600,
  },
  // `npm run dev -w @fastpva/web` next to `npm start`: the page from Vite, the API from the server.
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
