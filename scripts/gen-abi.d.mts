// Types of scripts/gen-abi.mjs (imported by test/structure/abi.test.ts).

/** Every file generated from assembly/abi.spec.json: path (relative to the project root) → contents. */
export function generateAbi(): Record<string, string>;
