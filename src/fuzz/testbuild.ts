// The test build of the engine (build/engine.test.wasm: the engine plus testSelfCheck and the other
// test hooks), embedded in the bundle that imports this module (the `fuzz` command's chunk only).
import bytes from '../../build/engine.test.wasm';

let compiled: WebAssembly.Module | undefined;

/** The compiled test build (compiled once). */
export function testBuildModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(bytes as BufferSource);
  return compiled;
}
