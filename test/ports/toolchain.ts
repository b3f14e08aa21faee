// What the C ports need on this machine; under CI=true a missing tool fails the suite (.ci/run installs
// the Debian packages), elsewhere the suite is skipped with the reason printed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'vitest';

/** Debian wabt: wasm2c, its runtime and wasm-rt.h (ports/wasm2c.mk). */
const WABT = ['wasm2c', '/usr/share/wabt/wasm2c/wasm-rt-impl.c', '/usr/src/wasm2c/wasm-rt.h'];
/** The native C port: wabt, the system gcc and make. */
export const NATIVE = ['make', 'gcc', ...WABT];
/** The masking probe (test/ports/mask.test.ts): the native tools and wabt's wat2wasm. */
export const PROBE = [...NATIVE, 'wat2wasm'];
/** The Cortex-M4 port: wabt, gcc-arm-none-eabi, libnewlib-arm-none-eabi, qemu-system-arm. */
export const CORTEX_M4 = ['make', 'arm-none-eabi-gcc', 'newlib-nano', 'qemu-system-arm', ...WABT];

function present(tool: string): boolean {
  if (tool.startsWith('/')) return existsSync(tool);
  if (tool === 'newlib-nano') {
    const r = spawnSync('arm-none-eabi-gcc', ['-print-file-name=libc_nano.a'], { encoding: 'utf8' });
    return r.status === 0 && r.stdout.trim().startsWith('/') && existsSync(r.stdout.trim());
  }
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
}

/** The tools of `needs` that are missing, or null when all are there. */
export function missingTools(needs: string[]): string | null {
  const gone = needs.filter((t) => !present(t));
  return gone.length ? `missing ${gone.join(', ')}` : null;
}

/** `describe` that runs when the tools are there, fails under CI when they are not, else skips with the reason. */
export function describePort(name: string, needs: string[], fn: () => void): void {
  const reason = missingTools(needs);
  if (!reason) {
    describe(name, fn);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('has its toolchain', () => {
        throw new Error(`${name} cannot run under CI: ${reason} (.ci/run installs them)`);
      });
    });
  } else {
    console.warn(`[ports] skipping '${name}': ${reason} (.ci/run installs them)`);
    describe.skip(name, fn);
  }
}
