// The host's reason names must follow the engine's codes one for one.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { REASON_NAMES, reasonName } from '../../src/wire/reason.js';

describe('reason codes', () => {
  it("src/wire/reason.ts names match the engine's generated reason constants (REASON_IP_TOO_SHORT → ip-too-short)", () => {
    const src = readFileSync(new URL('../../assembly/wire/tables.ts', import.meta.url), 'utf8');
    const consts = [...src.matchAll(/REASON_([A-Z0-9_]+): i32 = (\d+)/g)]
      .filter(([, name]) => name !== 'COUNT')
      .map(([, name, code]) => [Number(code), name.toLowerCase().replace(/_/g, '-')] as const);
    expect(consts.length).toBe(REASON_NAMES.length);
    for (const [code, name] of consts) expect(REASON_NAMES[code]).toBe(name);
    const count = Number(/REASON_COUNT: i32 = (\d+)/.exec(src)![1]);
    expect(count).toBe(REASON_NAMES.length);
    expect(reasonName(99)).toBe('reason-99');
  });
});
