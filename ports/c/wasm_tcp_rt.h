/* Private to the build: the trap hook wasm-rt-impl.c calls (compiled with
 * -DWASM_RT_TRAP_HANDLER=wtcp_trap_handler -include wasm_tcp_rt.h); defined in wasm_tcp.c. */
#ifndef WASM_TCP_RT_H
#define WASM_TCP_RT_H

#include "wasm-rt.h"

void wtcp_trap_handler(wasm_rt_trap_t code);

#endif /* WASM_TCP_RT_H */
