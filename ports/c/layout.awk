# The instance's linear memory first (every port's wasm2c output, both memory modes; ports/wasm2c.mk,
# docs/porting.md "Masked memory"). wasm2c 1.0.32 puts the memory after the globals in the instance
# struct; the code reloads its data pointer after nearly every store (a store through it may alias the
# instance), and past the first 124 bytes a Thumb load of it takes 4 bytes instead of 2. Members are
# only used by name, so the order is free. Run as `awk -f layout.awk module.h > out.h`.
/^typedef struct [A-Za-z0-9_]+_instance_t \{$/ { print; instruct = 1; n = 0; next }
instruct && $0 ~ /^  wasm_rt_memory_t w2c_[A-Za-z0-9_]+;$/ { print; next }
instruct && /^\}/ { for (i = 1; i <= n; i++) print held[i]; instruct = 0; print; next }
instruct { held[++n] = $0; next }
{ print }
