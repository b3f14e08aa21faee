// `wasm-tcp tour`: what `npm start` runs, a short guided run of the project.
import { instantiateEngine } from '../engine/load.js';

/** Runs the tour; returns the exit code. */
export async function run(_argv: string[]): Promise<number> {
  const engine = instantiateEngine();
  console.log(`wasm-tcp: engine loaded (ABI ${engine.engineAbiVersion()})`);
  return 0;
}
