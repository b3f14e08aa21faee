// Browser entry point (dist/browser.js): the core of wasm-tcp with the engine inlined, no Node built-ins.
// scripts/build.mjs fails the build if a Node built-in reaches this bundle.

// Stack, Socket, Server, clocks, links, SimNetwork, pcap writer/reader, transfer, utilities.
export * from './index.js';
// Scenarios: runScenario, SCENARIOS, the World they play in, Recorder and the ladder/SVG/HTML renderers.
export * from './scenario/index.js';
// The engine wrapper, for direct use of one engine.
export { Engine, STATE_NAMES, DEFAULT_CONFIG, type EngineConfig } from './engine/engine.js';
// The state each host starts in, for drawing state timelines next to a recording.
export { initialStates } from './scenario/timeline.js';
