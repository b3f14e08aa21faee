// The TUN bridge seen as a Link: the stack's outbound packets go to the kernel, the kernel's come back.
import type { Link, LinkEndpoint } from '../link/link.js';
import type { TunBridge } from './bridge.js';

/** A Link with one endpoint (our stack) whose far side is the kernel behind a TUN device. */
export class TunLink implements Link {
  private ep: LinkEndpoint | undefined;

  /** Wires `bridge`'s inbound packets to whatever endpoint attaches. */
  constructor(private readonly bridge: TunBridge) {
    bridge.onPacket = (p) => this.ep?.receive(p);
  }

  attach(ep: LinkEndpoint): void {
    this.ep = ep;
  }

  detach(ep: LinkEndpoint): void {
    if (this.ep === ep) this.ep = undefined;
  }

  send(packet: Uint8Array): void {
    this.bridge.send(packet);
  }
}
