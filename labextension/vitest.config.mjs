import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'jsdom',
    include: ['src/**/__tests__/*.spec.ts'],
    // One jsdom per worker thread, not one per file: building jsdom and re-importing Lumino for each of the
    // spec files cost ~40 CPU s of the suite's gate (now ~7 s). The specs keep no state between files (each
    // builds its own widgets and fakes; they pass in shuffled order: `jlpm vitest run --sequence.shuffle`).
    pool: 'threads',
    isolate: false
  }
});
