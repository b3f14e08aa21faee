// The portable modules' second optimisation (docs/porting.md "Build levels"): binaryen's standard -O2
// pipeline (optimizeLevel 2, shrinkLevel 0) over what asc wrote, with the binaryen asc itself uses.
// asc's own pipeline at the same levels leaves code that this pass shrinks further, which through
// wasm2c is 1.5-2.3 KB less Cortex-M4 text. Run as `node scripts/post-opt.mjs <file.wasm>…`, in a
// process of its own (binaryen's options are global, and asc sets them its way): scripts/build.mjs
// does after asc for the portable targets, ports/wasm2c.mk when it rebuilds one.
import binaryen from 'binaryen';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The asconfig targets whose output gets the pass. */
export const POST_OPT_TARGETS = ['portable', 'portable-tcp'];

/** Rewrites `path` (a portable module: no SIMD) optimised by binaryen's -O2 pipeline. */
function postOptimize(path) {
  const mod = binaryen.readBinary(readFileSync(path));
  try {
    const F = binaryen.Features;
    mod.setFeatures(F.MVP | F.MutableGlobals | F.SignExt | F.NontrappingFPToInt | F.BulkMemory | F.BulkMemoryOpt);
    if (!mod.validate()) throw new Error(`${path}: not valid before the post-optimisation`);
    binaryen.setOptimizeLevel(2);
    binaryen.setShrinkLevel(0);
    mod.optimize();
    if (!mod.validate()) throw new Error(`${path}: not valid after the post-optimisation`);
    writeFileSync(path, mod.emitBinary());
  } finally {
    mod.dispose();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const path of process.argv.slice(2)) postOptimize(path);
}
