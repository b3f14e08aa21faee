// The engine module (build/engine.wasm): every export the host sees. The wire decoder is its own
// module (assembly/wire.ts → build/wire.wasm); test hooks are in the test build (assembly/testing.ts).
export * from './tcp/exports';
export * from './net/exports';
