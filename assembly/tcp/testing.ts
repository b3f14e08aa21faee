// Test-build exports of the TCP engine (build/engine.test.wasm only): hooks a release module must not have.
import { isnSetOverride } from './isn';

/** Test hook: the next ISN chosen is `v` (one shot). */
export function testSetNextIss(v: u32): void { isnSetOverride(<i64>v); }
