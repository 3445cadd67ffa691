/**
 * Adaptive concurrency (additive increase, multiplicative decrease): starts at the configured
 * maximum, halves when Azure throttles, and grows back by one after a run of successes. Used
 * for report generations, which Cost Management rate-limits per enrollment.
 */
export class AdaptiveLimiter {
  private limit: number;
  private active = 0;
  private successes = 0;
  private readonly waiting: (() => void)[] = [];
  throttleEvents = 0;
  lowestLimit: number;

  constructor(private readonly max: number) {
    this.limit = Math.max(1, max);
    this.lowestLimit = this.limit;
  }

  get currentLimit(): number {
    return this.limit;
  }

  async acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    this.active--;
    this.wake();
  }

  onThrottled(): void {
    this.throttleEvents++;
    this.successes = 0;
    this.limit = Math.max(1, Math.floor(this.limit / 2));
    this.lowestLimit = Math.min(this.lowestLimit, this.limit);
  }

  onSuccess(): void {
    if (this.limit >= this.max) return;
    if (++this.successes >= this.limit) {
      this.successes = 0;
      this.limit++;
      this.wake();
    }
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private wake(): void {
    while (this.active < this.limit && this.waiting.length > 0) {
      this.active++;
      this.waiting.shift()!();
    }
  }
}
