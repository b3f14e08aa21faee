// The test build of the engine (build/engine.test.wasm: the release module plus test hooks and the
// wire layer's views), for the tests that need them. Everything else runs the release module.
import { readFileSync } from 'node:fs';
import { Engine, type EngineOptions } from '../../src/engine/engine.js';
import { instantiateEngine, type EngineExports } from '../../src/engine/load.js';

let compiled: WebAssembly.Module | undefined;

/** The compiled test build (built by `npm run build` next to the release module). */
export function testModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(readFileSync(new URL('../../build/engine.test.wasm', import.meta.url)));
  return compiled;
}

/** An engine of the test build. */
export function createTestEngine(opts: EngineOptions): Engine {
  return Engine.create({ ...opts, module: testModule() });
}

/** Raw exports of a fresh test-build instance (the wire tests call the views directly). */
export function testExports(): EngineExports {
  return instantiateEngine(testModule());
}

/** Test hook: the next ISN engine `e` (a test-build engine) picks is `v` (one shot). */
export function setNextIss(e: Engine, v: number): void {
  const hook = e.exports.testSetNextIss as ((v: number) => void) | undefined;
  if (!hook) throw new Error('setNextIss needs an engine of the test build (createTestEngine)');
  hook(v >>> 0);
}
