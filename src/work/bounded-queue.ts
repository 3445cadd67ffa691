/**
 * A FIFO between one producer task and one consumer, holding at most `limit` items: the
 * producer (a reader handing units to the executor) waits for room, so what is in flight stays
 * bounded; the consumer takes items in the order they were put. The producer ends it with
 * `close(err?)`; an error reaches the consumer after the items put before it. The consumer may
 * `cancel()` it: the producer's next `put` returns false and it should stop.
 */
export class BoundedQueue<T> {
  private items: T[] = [];
  private closed = false;
  private cancelled = false;
  private failure: {error: unknown} | null = null;
  private wakeConsumer: (() => void) | null = null;
  private wakeProducer: (() => void) | null = null;

  constructor(private readonly limit: number) {}

  /** Adds an item once there is room; false when the consumer has cancelled (the item is dropped). */
  async put(item: T): Promise<boolean> {
    while (!this.cancelled && this.items.length >= this.limit) {
      await new Promise<void>((resolve) => (this.wakeProducer = resolve));
    }
    if (this.cancelled) return false;
    this.items.push(item);
    this.wake('consumer');
    return true;
  }

  /** Runs the producer task; the queue closes when it ends, with its error if it fails. */
  produce(task: () => Promise<void>): Promise<void> {
    return task().then(
      () => this.close(),
      (err: unknown) => this.close(err),
    );
  }

  close(error?: unknown): void {
    if (this.closed) return;
    this.closed = true;
    if (error !== undefined) this.failure = {error};
    this.wake('consumer');
  }

  /** The next item; undefined once closed and empty; throws the producer's error in its turn. */
  async take(): Promise<T | undefined> {
    while (this.items.length === 0 && !this.closed) {
      await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
    }
    if (this.items.length > 0) {
      const item = this.items.shift()!;
      this.wake('producer');
      return item;
    }
    if (this.failure) throw this.failure.error;
    return undefined;
  }

  /** Stops the producer at its next `put`; returns the items not taken yet. */
  cancel(): T[] {
    this.cancelled = true;
    this.wake('producer');
    return this.items.splice(0);
  }

  private wake(who: 'consumer' | 'producer'): void {
    const w = who === 'consumer' ? this.wakeConsumer : this.wakeProducer;
    if (who === 'consumer') this.wakeConsumer = null;
    else this.wakeProducer = null;
    w?.();
  }
}
