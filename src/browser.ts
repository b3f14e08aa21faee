// Browser entry point: the same core as `src/index.ts`, with no Node built-ins.
export * from './index.js';
