import { describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../src/clock/virtual.js';
import { RealClock } from '../../src/clock/real.js';
import { DirectLink } from '../../src/link/direct.js';
import { Stack } from '../../src/stack.js';

describe('VirtualClock', () => {
  it('jumps straight to the next deadline and fires timers in deadline order', () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    clock.schedule(300, (t) => log.push(`c@${t}`));
    clock.schedule(100, (t) => log.push(`a@${t}`));
    clock.schedule(200, (t) => log.push(`b@${t}`));
    expect(clock.nextDeadline()).toBe(100);
    expect(clock.runAll()).toBe(3);
    expect(log).toEqual(['a@100', 'b@200', 'c@300']);
    expect(clock.now()).toBe(300);
  });

  it('breaks ties by arm order, so runs are deterministic', () => {
    const clock = new VirtualClock();
    const log: number[] = [];
    for (let i = 0; i < 5; i++) clock.schedule(10, () => log.push(i));
    clock.runAll();
    expect(log).toEqual([0, 1, 2, 3, 4]);
  });

  it('re-arms, disarms and cancels', () => {
    const clock = new VirtualClock();
    const log: number[] = [];
    const t = clock.timer((now) => log.push(now));
    t.arm(50);
    t.arm(20); // moved earlier
    const gone = clock.schedule(30, () => log.push(-1));
    clock.cancel(gone);
    expect(clock.pending).toBe(1);
    clock.runAll();
    expect(log).toEqual([20]);
    t.arm(Infinity);
    expect(clock.pending).toBe(0);
    t.arm(40);
    t.disarm();
    expect(clock.runAll()).toBe(0);
    expect(t.deadline).toBe(Infinity);
  });

  it('step() fires exactly one event', () => {
    const clock = new VirtualClock();
    let n = 0;
    clock.schedule(5, () => n++);
    clock.schedule(7, () => n++);
    expect(clock.step()).toBe(true);
    expect([n, clock.now()]).toEqual([1, 5]);
    expect(clock.step()).toBe(true);
    expect([n, clock.now()]).toEqual([2, 7]);
    expect(clock.step()).toBe(false);
  });

  it('runUntil(time) fires what is due and parks the clock at that time', () => {
    const clock = new VirtualClock();
    const log: number[] = [];
    clock.schedule(10, (t) => log.push(t));
    clock.schedule(1000, (t) => log.push(t));
    clock.runUntil(500);
    expect(log).toEqual([10]);
    expect(clock.now()).toBe(500);
    clock.runFor(500);
    expect(log).toEqual([10, 1000]);
    expect(clock.now()).toBe(1000);
  });

  it('runUntil(predicate) stops when it holds, or reports false when events or the timeout run out', () => {
    const clock = new VirtualClock();
    let ticks = 0;
    const tick = clock.timer((now) => {
      ticks++;
      tick.arm(now + 100);
    });
    tick.arm(100);
    expect(clock.runUntil(() => ticks === 3)).toBe(true);
    expect(clock.now()).toBe(300);
    expect(clock.runUntil(() => false, { timeout: 1000 })).toBe(false);
    expect(clock.now()).toBe(1300);
    tick.disarm();
    expect(clock.runUntil(() => false)).toBe(false);
  });

  it('throws a clear error on a livelock at one instant', () => {
    const clock = new VirtualClock({ maxEventsPerInstant: 1000 });
    const spin = clock.timer((now) => spin.arm(now));
    spin.arm(1);
    expect(() => clock.runAll()).toThrow(/livelock/);
  });

  it('guards runUntil with maxEvents', () => {
    const clock = new VirtualClock();
    const spin = clock.timer((now) => spin.arm(now + 1));
    spin.arm(1);
    expect(() => clock.runUntil(() => false, { maxEvents: 100 })).toThrow(/more than 100 events/);
  });
});

describe('RealClock', () => {
  it('fires timers at wall-clock deadlines in order', async () => {
    const clock = new RealClock();
    const start = clock.now();
    const log: string[] = [];
    await new Promise<void>((resolve) => {
      clock.schedule(start + 30, () => {
        log.push('late');
        resolve();
      });
      clock.schedule(start + 5, () => log.push('early'));
      clock.schedule(start - 1, () => log.push('due'));
    });
    expect(log).toEqual(['due', 'early', 'late']);
    expect(clock.now() - start).toBeGreaterThanOrEqual(29);
  });

  it('keeps exactly one host timer, armed at the earliest deadline, however many timers and stacks', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'performance'] });
    try {
      const clock = new RealClock();
      const t0 = clock.now();
      const fired: number[] = [];
      for (const d of [500, 40, 3000, 40, 1000, 7]) clock.schedule(t0 + d, () => fired.push(d));
      expect(vi.getTimerCount()).toBe(1);
      vi.advanceTimersByTime(6);
      expect(fired).toEqual([]); // the host timer is at +7, not earlier
      vi.advanceTimersByTime(1);
      expect(fired).toEqual([7]);
      expect(vi.getTimerCount()).toBe(1); // re-armed at +40
      vi.advanceTimersByTime(33);
      expect(fired).toEqual([7, 40, 40]);
      const early = clock.schedule(t0 + 100, () => fired.push(100));
      expect(vi.getTimerCount()).toBe(1);
      early.disarm();
      vi.advanceTimersByTime(3000);
      expect(fired).toEqual([7, 40, 40, 500, 1000, 3000]);
      expect(vi.getTimerCount()).toBe(0);
      // Two stacks with connections in several states still share that one timer.
      const a = new Stack({ address: '10.0.0.1', clock });
      const b = new Stack({ address: '10.0.0.2', clock });
      DirectLink.connect(a, b, clock);
      b.listen(80, {}, (s) => s.resume());
      const socks = [1, 2, 3].map(() => a.connect({ host: '10.0.0.2', port: 80 }));
      vi.advanceTimersByTime(10);
      expect(socks.map((s) => s.tcpState)).toEqual(['ESTABLISHED', 'ESTABLISHED', 'ESTABLISHED']);
      socks[0].write('x');
      socks[1].setKeepAlive(true, 1000);
      socks[2].end();
      vi.advanceTimersByTime(10);
      expect(vi.getTimerCount()).toBe(1);
      for (const s of socks) s.destroy();
      a.close();
      b.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('a cancelled timer never fires', async () => {
    const clock = new RealClock();
    let fired = false;
    const t = clock.schedule(clock.now() + 5, () => (fired = true));
    t.disarm();
    await new Promise((r) => setTimeout(r, 20));
    expect(fired).toBe(false);
  });
});
