// Vite builds the dashboard into dist/ (the project's build passes --outDir);
// Vitest runs the component and state tests in happy-dom.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  build: {
    // Nothing inlined: the page's Content-Security-Policy allows only its own files.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
