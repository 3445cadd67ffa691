import {AdaptiveLimiter} from '../../src/http/limiter';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('AdaptiveLimiter', () => {
  it('never runs more tasks than its limit', async () => {
    const limiter = new AdaptiveLimiter(3);
    let running = 0;
    let peak = 0;
    const releases: (() => void)[] = [];
    const tasks = Array.from({length: 10}, () =>
      limiter.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((r) => releases.push(r));
        running--;
      }),
    );
    for (let i = 0; i < 10; i++) {
      await tick();
      releases.shift()?.();
    }
    while (releases.length) {
      releases.shift()!();
      await tick();
    }
    await Promise.all(tasks);
    expect(peak).toBe(3);
  });

  it('halves on throttling and grows back by one after a run of successes', () => {
    const limiter = new AdaptiveLimiter(8);
    limiter.onThrottled();
    expect(limiter.currentLimit).toBe(4);
    limiter.onThrottled();
    limiter.onThrottled();
    limiter.onThrottled();
    expect(limiter.currentLimit).toBe(1);
    expect(limiter.lowestLimit).toBe(1);
    limiter.onSuccess();
    expect(limiter.currentLimit).toBe(2);
    limiter.onSuccess();
    expect(limiter.currentLimit).toBe(2);
    limiter.onSuccess();
    expect(limiter.currentLimit).toBe(3);
    for (let i = 0; i < 100; i++) limiter.onSuccess();
    expect(limiter.currentLimit).toBe(8);
    expect(limiter.throttleEvents).toBe(4);
  });
});
