// The wire decoder module (build/wire.wasm): the whole-packet parser `wasm-tcp decode` and the
// recordings use, apart from the engine so engine instances carry neither it nor its scratch area.
export * from './wire/exports';
