# Shared by ports/c and ports/cortex-m4: the portable engine (build/engine.portable.wasm) and its wasm2c
# translation into $(OUT). The including Makefile sets OUT before including this file.
ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
# A change of flags (a Makefile) rebuilds the objects.
BUILD_FILES := $(abspath $(MAKEFILE_LIST))
PORT_C := $(ROOT)/ports/c
# Explicit loads and stores (checked or masked, below), memory from calloc: the same on every target.
W2C_DEFS := -DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0
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
# Linear memory (docs/porting.md "Masked memory"): checked = wasm2c's bounds check at every load and
# store, a trap when out of range; masked = the wasm2c output rewritten by ports/c/mask.sed, every
# address masked into a fixed reservation of MEM_BYTES (a power of two) plus a guard, no check (an
# access that would have trapped stays inside the reservation instead). The including Makefile sets
# PORT_MEMORY (its default) and PORT_MEM_BYTES; the other mode builds into its own directory.
MEMORY ?= $(PORT_MEMORY)
MEM_BYTES ?= $(PORT_MEM_BYTES)
ifneq ($(MEMORY),$(PORT_MEMORY))
OUT := $(OUT)-$(MEMORY)
endif
ifeq ($(MEMORY),checked)
ENGINE_C := $(OUT)/wtcp_engine.c
else ifeq ($(MEMORY),masked)
ENGINE_C := $(OUT)/wtcp_engine.masked.c
W2C_DEFS += -DWTCP_MEM_BYTES=$(MEM_BYTES)u
else
$(error MEMORY=$(MEMORY): use checked or masked)
endif
WASM2C ?= wasm2c
# Debian wabt: the runtime (wasm-rt-impl.c/.h) and wasm-rt.h. /usr/src/wasm2c holds the same wasm-rt.h
# as /usr/include, without the host's other headers in the way of a cross compiler.
WASM2C_RT ?= /usr/share/wabt/wasm2c
WASM_RT_H ?= /usr/src/wasm2c
RT_DEFS := $(W2C_DEFS) -DWASM_RT_TRAP_HANDLER=wtcp_trap_handler -include $(PORT_C)/wasm_tcp_rt.h
INCLUDES := -I$(PORT_C) -I$(OUT) -I$(WASM2C_RT) -I$(WASM_RT_H)
ENGINE_SOURCES := $(wildcard $(ROOT)/assembly/*.ts $(ROOT)/assembly/*/*.ts) $(ROOT)/asconfig.json
# The test program (one source list for both targets).
PROGRAM := cases.c netsim.c crc32.c

$(OUT):
	mkdir -p $@

# Normally built by `npm run build`; rebuilt here when an engine source is newer.
$(WASM): $(ENGINE_SOURCES)
	cd $(ROOT) && node_modules/.bin/asc assembly/index.ts --config asconfig.json --target $(ASC_TARGET) && node scripts/post-opt.mjs $(WASM)

# wasm2c, then the instance struct with its memory first (ports/c/layout.awk: shorter loads of the
# memory's data pointer on Thumb); every wasm2c translation of the ports goes through both.
W2C_LAYOUT = awk -f $(PORT_C)/layout.awk $(1) > $(1).tmp && mv $(1).tmp $(1)
$(OUT)/wtcp_engine.c: $(WASM) $(PORT_C)/layout.awk | $(OUT)
	$(WASM2C) $(WASM) -n wtcp_engine -o $@
	$(call W2C_LAYOUT,$(OUT)/wtcp_engine.h)

$(OUT)/wtcp_engine.h: $(OUT)/wtcp_engine.c

# Masked memory: the rewrite (mask.sed; outline.sed moves the float-to-integer conversions out of line;
# depth.awk keeps the call depth counter only in functions on a cycle of calls; init.awk drops the
# function type registrations of a module without call_indirect or a table and clears the zero globals
# with one memset), with the module's
# largest static load/store offset (the guard's size) defined on the first line. It fails when a load
# or store was left unrewritten (a new wasm2c form).
.PRECIOUS: %.masked.c
%.masked.c: %.c $(PORT_C)/mask.sed $(PORT_C)/outline.sed $(PORT_C)/depth.awk $(PORT_C)/init.awk
	{ max=$$(grep -oE '\(u64\)\(w2c_[a-z0-9_]+\) \+ [0-9]+u' $< | sed -E 's/.* ([0-9]+)u$$/\1/' | sort -n | tail -n 1); \
	  printf '#define WTCP_MEM_MAX_OFFSET %su\n' "$${max:-0}"; sed -f $(PORT_C)/mask.sed -f $(PORT_C)/outline.sed $<; } > $@.sed
	awk -f $(PORT_C)/depth.awk $@.sed $@.sed > $@.depth
	awk -f $(PORT_C)/init.awk $@.depth $@.depth > $@.tmp
	rm -f $@.sed $@.depth
	if grep -n '_\(load\|store\)[a-z0-9_]*(&instance->w2c_memory, (u64)' $@.tmp; then echo '$@: unrewritten access' >&2; exit 1; fi
	grep -q '^#include "wasm_tcp_mask.h"$$' $@.tmp && grep -q '^#include "wasm_tcp_outline.h"$$' $@.tmp
	mv $@.tmp $@
