import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'happy-dom',
    environmentOptions: { happyDOM: { url: 'http://example.test/page?q=1' } },
    include: ['test/**/*.test.ts'],
  },
});
