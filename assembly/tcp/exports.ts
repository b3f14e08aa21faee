// Exports of the TCP engine for the host.

/** ABI version of the engine; the host refuses a module with another. */
export function engineAbiVersion(): i32 {
  return 1;
}
