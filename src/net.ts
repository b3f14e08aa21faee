// Node entry point (`wasm-tcp/net`): Node `net`-compatible wrappers over the core sockets.
export * from './index.js';
