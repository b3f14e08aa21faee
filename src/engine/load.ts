// Instantiates the engine module. No Node built-ins: the same code runs in browsers.
import engineBytes from '../../build/engine.wasm';

/** The compiled engine module, compiled once per process and shared by every instance. */
let compiled: WebAssembly.Module | undefined;

/** Error raised when the WASM engine aborts (an `assert` or `unreachable` in AssemblyScript). */
export class EngineAbort extends Error {}

/** A compiled module (a `WebAssembly.Module`, typed loosely so the declaration files need no DOM library). */
export type WasmModule = object;

/** Raw exports of one engine instance. */
export type EngineExports = Record<string, any> & { memory: WebAssembly.Memory };

/** Creates a fresh engine instance with its own memory, of `module` (default: the release build/engine.wasm). */
export function instantiateEngine(module?: WasmModule): EngineExports {
  compiled ??= new WebAssembly.Module(engineBytes as BufferSource);
  return instantiateModule(module ?? compiled);
}

/** Instantiates one of our AssemblyScript modules (the engine, its test build, the wire decoder) with its imports. */
export function instantiateModule(module: WasmModule): EngineExports {
  let memory: WebAssembly.Memory | undefined;
  const imports = {
    env: {
      abort(msgPtr: number, filePtr: number, line: number, col: number) {
        throw new EngineAbort(`engine abort: ${readAsString(memory, msgPtr)} at ${readAsString(memory, filePtr)}:${line}:${col}`);
      },
      seed() {
        return Date.now();
      },
    },
  };
  const instance = new WebAssembly.Instance(module as WebAssembly.Module, imports);
  const exports = instance.exports as EngineExports;
  memory = exports.memory;
  return exports;
}

/** Reads an AssemblyScript string (UTF-16, length at ptr-4) for abort messages. */
function readAsString(memory: WebAssembly.Memory | undefined, ptr: number): string {
  if (!memory || !ptr) return '?';
  const u32 = new Uint32Array(memory.buffer);
  const byteLen = u32[(ptr - 4) >>> 2];
  return String.fromCharCode(...new Uint16Array(memory.buffer, ptr, byteLen >>> 1));
}
