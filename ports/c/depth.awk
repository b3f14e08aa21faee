# Call depth counting only where recursion is possible (the masked build's rewrite, ports/wasm2c.mk;
# docs/porting.md "Masked memory"). wasm2c 1.0.32 counts the call depth in every function
# (FUNC_PROLOGUE/FUNC_EPILOGUE) and traps past WASM_RT_MAX_CALL_STACK_DEPTH. Only a cycle of calls can
# go deep: a function that is on no cycle of the call graph loses its counter, every function on a
# cycle keeps it, so runaway recursion still traps. A function with an indirect call or an import call
# (the host may call back into any export) counts as calling every function. Run as `awk -f depth.awk
# out.c out.c`: the first pass reads the call graph (a wasm2c call passes `instance` first), the second
# prints the file.
function defname(line) {
  # A definition names its first parameter (a prototype does not); long ones wrap onto a second line.
  if (line !~ /^(static )?[A-Za-z0-9_]+ [A-Za-z0-9_]+\([A-Za-z0-9_]+_instance_t\* instance[,)]/) return "";
  sub(/^static /, "", line);
  sub(/^[A-Za-z0-9_]+ /, "", line);
  sub(/\(.*/, "", line);
  return line;
}
FNR == 1 { pass++ }
pass == 1 {
  name = defname($0);
  if (name != "") { cur = name; fn[cur] = 1; next }
  if ($0 == "}") { cur = ""; next }
  if (cur == "") next;
  if (index($0, "CALL_INDIRECT(") || index($0, "(*Z_")) any[cur] = 1;
  s = $0;
  while (match(s, /[A-Za-z0-9_]+\(instance[,)]/)) {
    callee = substr(s, RSTART, RLENGTH);
    sub(/\(.*/, "", callee);
    edge[cur, callee] = 1;
    s = substr(s, RSTART + RLENGTH);
  }
  next
}
pass == 2 && !closed {
  # Transitive closure of the calls between the module's functions (Floyd-Warshall).
  n = 0;
  for (f in fn) id[++n] = f;
  for (i = 1; i <= n; i++) for (j = 1; j <= n; j++) r[i, j] = (id[i] in any) || ((id[i], id[j]) in edge);
  for (k = 1; k <= n; k++) for (i = 1; i <= n; i++) if (r[i, k]) for (j = 1; j <= n; j++) if (r[k, j]) r[i, j] = 1;
  for (i = 1; i <= n; i++) if (r[i, i]) cyclic[id[i]] = 1;
  closed = 1;
}
pass == 2 {
  name = defname($0);
  if (name != "") cur = name;
  else if ($0 == "}") cur = "";
  if (cur != "" && !(cur in cyclic) && ($0 == "  FUNC_PROLOGUE;" || $0 == "  FUNC_EPILOGUE;")) next;
  print
}
