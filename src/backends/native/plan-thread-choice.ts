// How many threads a jit plan's replays run on. The kernels pick their thread counts from their
// own sizes, which can lose as a whole: a train step whose products and updates each gain on two
// threads may still run slower than on one, when the data each kernel reads was written on the
// other core (measured: the MLP step's Adam update of its 784 x 128 weight took 80 us on one
// thread and 55-91 us on two within the step, 49 us on two alone). So a plan measures its replays
// on all of the pool's threads and on one, taking turns, and keeps the faster; it measures again
// every RECHECK replays, as the load from other processes and the pool's size change. Results are
// the same bits on any thread count.

/** Replays not measured (first runs touch fresh memory), then replays measured per choice. */
const WARM_UP = 2;
const SAMPLES = 8;
/** Replays after a choice before the plan measures again. */
export const RECHECK = 512;

const median = (v: readonly number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;

export class PlanThreadChoice {
  private replays = 0;
  private readonly allThreads: number[] = [];
  private readonly oneThread: number[] = [];
  /** The cap once chosen (0: the pool's threads), or -1 while measuring. */
  private chosen: number;
  private sinceChoice = 0;

  /** `poolThreads`: the pool's size now (read at the start and at each re-check: setThreads may change it). */
  constructor(private readonly poolThreads: () => number) {
    this.chosen = poolThreads() > 1 ? -1 : 0;
  }

  /** Whether the next replay is to be timed (and its time given to `record`). */
  get measuring(): boolean {
    return this.chosen < 0;
  }

  /** The thread cap for the next replay: 0 (the pool's threads) or 1. */
  next(): number {
    if (this.chosen < 0) return this.replays & 1;
    if (++this.sinceChoice <= RECHECK) return this.chosen;
    this.sinceChoice = 0;
    if (this.poolThreads() <= 1) return (this.chosen = 0);
    this.chosen = -1;
    this.allThreads.length = this.oneThread.length = 0;
    return this.replays & 1;
  }

  /** How long a timed replay with `cap` took. */
  record(cap: number, ms: number): void {
    if (this.chosen >= 0 || this.replays++ < WARM_UP) return;
    (cap === 1 ? this.oneThread : this.allThreads).push(ms);
    if (this.oneThread.length < SAMPLES || this.allThreads.length < SAMPLES) return;
    this.chosen = median(this.oneThread) < median(this.allThreads) ? 1 : 0;
    this.sinceChoice = 0;
  }

  /** The choice made (0: the pool's threads, 1: one), or null while measuring. */
  get choice(): number | null {
    return this.chosen >= 0 ? this.chosen : null;
  }
}
