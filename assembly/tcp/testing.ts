// Test-build exports of the TCP engine (build/engine.test.wasm only): hooks a release module must not have.
import { isnSetOverride } from './isn';
import { configGetValue } from '../config';

/** Test hook: the next ISN chosen is `v` (one shot). */
export function testSetNextIss(v: u32): void { isnSetOverride(<i64>v); }

/** The value config `key` holds (NaN for an unknown key): what the release build's host computes itself. */
export function configGet(key: i32): f64 { return configGetValue(key); }
