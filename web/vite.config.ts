// Vite builds the dashboard into dist/ (the project's build passes --outDir):
// its page (index.html) and the API documentation at /docs (docs/index.html,
// Swagger UI from swagger-ui-dist, bundled here so the binary serves it offline).
// Vitest runs the component and state tests in happy-dom.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const page = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  build: {
    // Nothing inlined: the page's Content-Security-Policy allows only its own files.
    assetsInlineLimit: 0,
    sourcemap: false,
    // Chromium, Firefox and Safari preload modules themselves: no polyfill chunk.
    modulePreload: { polyfill: false },
    rolldownOptions: {
      input: { index: page('index.html'), docs: page('docs/index.html') },
    },
    // Swagger UI's bundle is about 1.5 MB, loaded only by /docs.
    chunkSizeWarningLimit: 2000,
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
