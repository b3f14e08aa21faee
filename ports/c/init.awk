# The module's initialisation, smaller (the masked build's rewrite, ports/wasm2c.mk; docs/porting.md
# "Masked memory"). Run as `awk -f init.awk out.c out.c`: the first pass looks for a use of the function
# types, the second prints the file.
# - wasm2c 1.0.32 registers every function type of the module with the runtime at init
#   (init_func_types), for call_indirect's signature check and a funcref table's entries; a module with
#   neither reads none of them, and the registrations go.
# - init_globals stores every defined global one by one; those that start at zero are cleared by one
#   memset of the globals' span of the instance (they are its contiguous members, in this order), and
#   only the others are stored; a module with fewer than 8 zero globals keeps the stores.
FNR == 1 { pass++ }
pass == 1 {
  if ($0 !~ /^#define / && (index($0, "CALL_INDIRECT(") || index($0, "funcref_table_init(&"))) used = 1;
  next
}
!used && /^  func_types\[[0-9]+\] = wasm_rt_register_func_type\(.*\);$/ { next }
/^static void init_globals\(/ { print; inglobals = 1; n = 0; zeros = 0; first = ""; next }
inglobals && match($0, /^  instance->w2c_[A-Za-z0-9_]+ = /) {
  name = substr($0, 13, RLENGTH - 15);
  if (first == "") first = name;
  last = name;
  all[++n] = $0;
  zero[n] = $0 ~ / = 0(u|ull)?;$/;
  zeros += zero[n];
  next
}
inglobals && $0 == "}" {
  if (zeros >= 8)
    printf "  memset(&instance->%s, 0, (char*)(&instance->%s + 1) - (char*)&instance->%s);\n", first, last, first;
  for (i = 1; i <= n; i++) if (zeros < 8 || !zero[i]) print all[i];
  inglobals = 0;
}
{ print }
