// Entry point wasm-tcp/v86: a v86 emulator's network card as Ethernet frame streams, and attached to a
// TAP interface. Browser-safe, no dependency: pass the emulator you made with the `v86` package.
export { v86Frames, type V86Emulator, type V86Frames, type V86FramesOptions, type V86FrameStats } from './frames.js';
export { attachV86, type FrameStreams, type V86Attachment } from './attach.js';
