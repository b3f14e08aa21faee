# Function types registered only where something reads them (the masked build's rewrite, ports/wasm2c.mk;
# docs/porting.md "Masked memory"). wasm2c 1.0.32 registers every type of the module with the runtime at
# init (init_func_types), for call_indirect's signature check and a funcref table's entries; a module
# with neither reads none of them, and the registrations (~460 B of Cortex-M4 text for the engine) go.
# Run as `awk -f functypes.awk out.c out.c`: the first pass looks for a use, the second prints the file.
FNR == 1 { pass++ }
pass == 1 {
  if ($0 !~ /^#define / && (index($0, "CALL_INDIRECT(") || index($0, "funcref_table_init(&"))) used = 1;
  next
}
!used && /^  func_types\[[0-9]+\] = wasm_rt_register_func_type\(.*\);$/ { next }
{ print }
