// The test build's second entry (build/engine.test.wasm = assembly/index.ts + this): test hooks and
// the wire layer's views for tests and benchmarks. The release build/engine.wasm has none of them.
export * from './wire/testing';
export * from './tcp/testing';
