// Runs inside a test namespace: a program that puts our stack on the kernel's network with the
// packaged API alone (dist/index.js's Stack and its interface objects, dist/tun.js's devices), as
// docs/tun.md shows it. It serves TCP echo on port 7 until SIGTERM, then prints its counters.
//   node stack-program.mjs tap DEV     openTap + stack.createTapInterface (ARP, ping, TCP)
//   node stack-program.mjs tun DEV     openTun + stack.createTunInterface (ping, TCP)
import { RealClock, Stack } from '../../dist/index.js';
import { openTap, openTun } from '../../dist/tun.js';

const [kind, dev] = process.argv.slice(2);
const print = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
const opts = { dev, kernelAddr: '10.79.0.1/24', addr: '10.79.0.2' };

const device = kind === 'tap' ? await openTap({ ...opts, mac: '02:00:5e:10:00:07' }) : await openTun(opts);
const stack = new Stack({ clock: new RealClock(), seed: process.pid });
const iface = kind === 'tap'
  ? stack.createTapInterface({ mac: device.mac, ip: '10.79.0.2/24', gateway: '10.79.0.1' })
  : stack.createTunInterface({ ip: '10.79.0.2/24', gateway: '10.79.0.1' });
// Frames (packets) both ways through the streams.
device.readable.pipeTo(iface.writable).catch(() => {});
iface.readable.pipeTo(device.writable).catch(() => {});

const listener = await stack.listenTcp({ port: 7 });
let echoed = 0;
(async () => {
  for await (const conn of listener) {
    const counted = new TransformStream({ transform: (chunk, c) => { echoed += chunk.length; c.enqueue(chunk); } });
    conn.readable.pipeThrough(counted).pipeTo(conn.writable).catch(() => {});
  }
})();
print({ event: 'ready', kind, dev, mac: device.mac ?? null, ifaceMac: iface.mac ?? null });

process.once('SIGTERM', async () => {
  stack.close();
  await device.close();
  print({ event: 'closed', echoed, device: device.stats, iface: iface.stats });
  process.exit(0);
});
