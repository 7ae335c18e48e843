// Background work whose queue is the store itself (scans in progress, copies under way): read a page at a time, so
// that nothing held in memory grows with it, and what a stopped server left is simply there at the next start.
const PAGE = 50;

export class BackgroundQueue<T> {
  /** Whether work was added since the running pass began. */
  private kicked = false;
  private readonly stopping = new AbortController();
  private running?: Promise<void>;

  constructor(
    /** Up to `limit` items after `after`, in the store's key order. */
    private readonly list: (after: T | undefined, limit: number) => Promise<T[]>,
    /** Does one item; it must leave the queue, or stay for the next start when `signal` aborts. */
    private readonly run: (item: T, signal: AbortSignal) => Promise<void>,
    /** Told when a pass fails (the store could not be read); the queue runs again at the next kick. */
    private readonly onError?: (e: unknown) => void,
  ) {}

  /** Aborted when the server stops. */
  get signal(): AbortSignal {
    return this.stopping.signal;
  }

  /** Runs the queue (another pass when one is running: new work may sort before where it is). */
  kick(): void {
    if (this.stopping.signal.aborted) return;
    this.kicked = true;
    this.running ??= this.drain()
      .catch((e) => {
        // Nothing is lost: the queue is in the store, and the next kick (a new item, the next start) runs it.
        this.kicked = false;
        this.onError?.(e);
      })
      .finally(() => {
        this.running = undefined;
        if (this.kicked) this.kick();
      });
  }

  /** Resolves once the queue is empty. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Stops the item under way (it stays queued, to resume at the next start) and runs no more. */
  async stop(): Promise<void> {
    this.stopping.abort(new Error("the server is stopping"));
    await this.running?.catch(() => undefined);
  }

  /** Passes over the queue, in key order, until one ends with nothing added meanwhile. */
  private async drain(): Promise<void> {
    const { signal } = this.stopping;
    while (this.kicked && !signal.aborted) {
      this.kicked = false;
      for (let page = await this.list(undefined, PAGE); page.length && !signal.aborted; page = await this.list(page[page.length - 1], PAGE)) {
        for (const item of page) {
          if (signal.aborted) return;
          await this.run(item, signal);
        }
      }
    }
  }
}
