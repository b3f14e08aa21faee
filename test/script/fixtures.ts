// Shared by the runner tests: a passive open under the Linux profile, and a run helper.
import { createScriptEngine, ENGINE_CONFIG_KEYS } from '../../src/script/engine.js';
import { runScriptText, type EngineFactory, type ScriptResult } from '../../src/script/runner.js';

/** Listen, SYN in, SYN-ACK out, third ACK at 0.1, accept() = 4; events after it start at line 9. */
export const OPEN = `\`./defaults.sh\`
0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 257
+0 accept(3, ..., ...) = 4
`;

/** Runs a script against a fresh engine. */
export function run(text: string, opts: { profile?: 'linux' | 'default'; log?: (l: string) => void; factory?: EngineFactory } = {}): ScriptResult {
  return runScriptText(text, opts.factory ?? createScriptEngine, { profile: opts.profile ?? 'default', configKeys: ENGINE_CONFIG_KEYS, log: opts.log });
}
