// A second binaryen pass over what asc wrote (docs/porting.md "Build levels"), with the binaryen asc
// itself uses, at binaryen's own inlining limits: a function with one caller is inlined whatever its
// size (asc stops at 200 nodes and at loops), which removes the calls and the functions around them.
// - portable targets: the standard -O2 pipeline (optimizeLevel 2, shrinkLevel 0), which through wasm2c
//   is 1.5-2.3 KB less Cortex-M4 text than asc's own pipeline at the same levels;
// - release (build/engine.wasm and the test build): the target's -O3 -s1 once more, 526 B less.
// Run as `node scripts/post-opt.mjs [--target <asconfig target>] <file.wasm>…` (portable without
// --target), in a process of its own (binaryen's options are global, and asc sets them its way):
// scripts/build.mjs does after asc, ports/wasm2c.mk when it rebuilds a portable module.
import binaryen from 'binaryen';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The asconfig targets whose output gets the pass, with its levels and whether the module has SIMD. */
export const POST_OPT_TARGETS = {
  release: { optimizeLevel: 3, shrinkLevel: 1, simd: true },
  portable: { optimizeLevel: 2, shrinkLevel: 0, simd: false },
  'portable-tcp': { optimizeLevel: 2, shrinkLevel: 0, simd: false },
};

/** Rewrites `path` optimised by binaryen's pipeline at the levels of asconfig target `target`. */
function postOptimize(path, target) {
  const levels = POST_OPT_TARGETS[target];
  if (!levels) throw new Error(`post-opt: no levels for target ${target}`);
  const mod = binaryen.readBinary(readFileSync(path));
  try {
    const F = binaryen.Features;
    mod.setFeatures(F.MVP | F.MutableGlobals | F.SignExt | F.NontrappingFPToInt | F.BulkMemory | F.BulkMemoryOpt | (levels.simd ? F.SIMD128 : 0));
    if (!mod.validate()) throw new Error(`${path}: not valid before the post-optimisation`);
    binaryen.setOptimizeLevel(levels.optimizeLevel);
    binaryen.setShrinkLevel(levels.shrinkLevel);
    mod.optimize();
    if (!mod.validate()) throw new Error(`${path}: not valid after the post-optimisation`);
    writeFileSync(path, mod.emitBinary());
  } finally {
    mod.dispose();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  let target = 'portable';
  if (args[0] === '--target') {
    target = args[1];
    args.splice(0, 2);
  }
  for (const path of args) postOptimize(path, target);
}
