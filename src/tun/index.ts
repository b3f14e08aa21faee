// Entry point wasm-tcp/tun (Node only, Linux): real kernel TUN and TAP devices as the same web streams
// a Stack's interfaces use, so a program can put our stack (or anything else) on the kernel's network.
export { openTun, openTap, type OpenTunOptions, type OpenTapOptions, type KernelDevice, type TunDevice, type TapDevice, type DeviceStats } from './device.js';
export { TunError, type DeviceKind, type TunStats } from './bridge.js';
