import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

// `npm run dev:web` serves the app with hot reload on :5173 and forwards the server's paths to a
// running `npm start` on :8080. `--mode test` (npm run build:web:test) builds into dist-test an app
// that lets tests look inside the page (src/test-hooks.ts); web/dist never has that.
export default defineConfig(({ mode }) => ({
  root,
  plugins: [vue()],
  build: {
    outDir: mode === 'test' ? 'dist-test' : 'dist',
    emptyOutDir: true,
    sourcemap: true,
    rolldownOptions: {
      output: {
        // The WebRTC client (mediasoup-client, socket.io) is shared by the studio and channel
        // pages and changes rarely: one long-cached chunk with a name that says what it is.
        codeSplitting: {
          // socket.io on its own: chat and the notification bell need it, not mediasoup-client.
          groups: [
            {
              name: 'realtime-client',
              test: /node_modules[\\/](socket\.io-client|engine\.io-client|socket\.io-parser|@socket\.io)[\\/]/,
            },
            { name: 'media-client', test: /node_modules[\\/]mediasoup-client[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/hls': 'http://127.0.0.1:8080',
      // A VOD's playlist and files; /vod/<id> itself is the app's VOD page.
      '^/vod/[^/]+/.+': 'http://127.0.0.1:8080',
      // A clip's MP4 and poster; /clip/<id> itself is the app's clip page.
      '^/clip/[^/]+/.+': 'http://127.0.0.1:8080',
      '/uploads': 'http://127.0.0.1:8080',
      '/healthz': 'http://127.0.0.1:8080',
      '/socket.io': { target: 'http://127.0.0.1:8080', ws: true },
    },
  },
}));
