// Public entry point of wasm-tcp (Node and browsers share this core).
export { instantiateEngine, EngineAbort } from './engine/load.js';
