// Training loops are chains of awaits that resolve at once (microtasks), so without a real yield a
// fit starves timers, I/O and a server's requests until it ends. Yielding costs a few microseconds
// (a macrotask), so it is done by wall time rather than every batch.

/** Wall time between yields, in milliseconds. */
const YIELD_EVERY_MS = 10;

const nextMacrotask: () => Promise<void> =
  typeof setImmediate === 'function'
    ? () => new Promise((resolve) => setImmediate(resolve))
    : typeof MessageChannel === 'function'
      ? () =>
          new Promise((resolve) => {
            // Unlike setTimeout, not clamped to 4 ms when nested.
            const channel = new MessageChannel();
            channel.port1.onmessage = () => {
              channel.port1.close();
              resolve();
            };
            channel.port2.postMessage(null);
          })
      : () => new Promise((resolve) => setTimeout(resolve, 0));

/** Lets the event loop turn (timers, I/O) once at least YIELD_EVERY_MS have passed since the last turn. */
export class EventLoopYielder {
  private last = performance.now();

  /** Resolves at once, or after one turn of the event loop when it is due. */
  async maybeYield(): Promise<void> {
    const now = performance.now();
    if (now - this.last < YIELD_EVERY_MS) return;
    await nextMacrotask();
    this.last = performance.now();
  }
}
