# Shared by ports/c and ports/cortex-m4: the portable engine (build/engine.portable.wasm) and its wasm2c
# translation into $(OUT). The including Makefile sets OUT before including this file.
ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
# A change of flags (a Makefile) rebuilds the objects.
BUILD_FILES := $(abspath $(MAKEFILE_LIST))
PORT_C := $(ROOT)/ports/c
# The engine's compile-time profile (assembly/options.ts, docs/porting.md): full = every feature
# (build/engine.portable.wasm), tcp = TCP + IPv4 with NewReno, IP interfaces only (build/engine.tcp.wasm),
# what lwIP's TCP + IPv4 figure holds. Each profile builds into its own directory.
PROFILE ?= full
ifeq ($(PROFILE),full)
ASC_TARGET := portable
WASM := $(ROOT)/build/engine.portable.wasm
else ifeq ($(PROFILE),tcp)
ASC_TARGET := portable-tcp
WASM := $(ROOT)/build/engine.tcp.wasm
OUT := $(OUT)-tcp
else
$(error PROFILE=$(PROFILE): use full or tcp)
endif
WASM2C ?= wasm2c
# Debian wabt: the runtime (wasm-rt-impl.c/.h) and wasm-rt.h. /usr/src/wasm2c holds the same wasm-rt.h
# as /usr/include, without the host's other headers in the way of a cross compiler.
WASM2C_RT ?= /usr/share/wabt/wasm2c
WASM_RT_H ?= /usr/src/wasm2c
# Bounds-checked loads and stores, memory from calloc: the same runtime behaviour on every target.
W2C_DEFS := -DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0
RT_DEFS := $(W2C_DEFS) -DWASM_RT_TRAP_HANDLER=wtcp_trap_handler -include $(PORT_C)/wasm_tcp_rt.h
INCLUDES := -I$(PORT_C) -I$(OUT) -I$(WASM2C_RT) -I$(WASM_RT_H)
ENGINE_SOURCES := $(wildcard $(ROOT)/assembly/*.ts $(ROOT)/assembly/*/*.ts) $(ROOT)/asconfig.json
# The test program (one source list for both targets).
PROGRAM := cases.c netsim.c crc32.c

$(OUT):
	mkdir -p $@

# Normally built by `npm run build`; rebuilt here when an engine source is newer.
$(WASM): $(ENGINE_SOURCES)
	cd $(ROOT) && node_modules/.bin/asc assembly/index.ts --config asconfig.json --target $(ASC_TARGET)

$(OUT)/wtcp_engine.c: $(WASM) | $(OUT)
	$(WASM2C) $(WASM) -n wtcp_engine -o $@

$(OUT)/wtcp_engine.h: $(OUT)/wtcp_engine.c
