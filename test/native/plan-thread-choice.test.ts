// A jit plan's replays measure all of the pool's threads against one, taking turns, keep the
// faster, and measure again later; the replays give eager's bits whichever they run on.
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import { PlanThreadChoice, RECHECK } from '../../src/backends/native/plan-thread-choice.js';
import type { CompiledKernels } from '../../src/backends/backend.js';
import type { TypedArray } from '../../src/tensor/dtype.js';

/** Feed `choice` replays that take `allMs` on all threads and `oneMs` on one; the caps it asked for. */
function drive(choice: PlanThreadChoice, replays: number, allMs: number, oneMs: number): number[] {
  const caps: number[] = [];
  for (let i = 0; i < replays; i++) {
    const cap = choice.next();
    caps.push(cap);
    if (choice.measuring) choice.record(cap, cap === 1 ? oneMs : allMs);
  }
  return caps;
}

describe('PlanThreadChoice', () => {
  it('on a one-thread pool never measures', () => {
    const choice = new PlanThreadChoice(() => 1);
    expect(choice.measuring).toBe(false);
    expect(drive(choice, 2000, 1, 2).every((c) => c === 0)).toBe(true);
    expect(choice.choice).toBe(0);
  });

  it('takes turns after the warm-up, then keeps the faster', () => {
    const slowOnOne = new PlanThreadChoice(() => 2);
    const caps = drive(slowOnOne, 18, 1, 2);
    expect(caps).toEqual([0, 1, ...Array.from({ length: 16 }, (_, i) => i & 1)]);
    expect(slowOnOne.choice).toBe(0);
    const fastOnOne = new PlanThreadChoice(() => 4);
    drive(fastOnOne, 18, 3, 2);
    expect(fastOnOne.choice).toBe(1);
    expect(drive(fastOnOne, 100, 3, 2).every((c) => c === 1)).toBe(true);
  });

  it('measures again after RECHECK replays and follows the load', () => {
    const choice = new PlanThreadChoice(() => 2);
    drive(choice, 18, 3, 2);
    expect(choice.choice).toBe(1);
    drive(choice, RECHECK, 3, 2);
    expect(choice.choice).toBe(1);
    // The next replay starts a new measurement: now all threads are faster.
    const caps = drive(choice, 16, 1, 2);
    expect(new Set(caps)).toEqual(new Set([0, 1]));
    expect(choice.choice).toBe(0);
  });
});

const planBackends = ['native', 'wasm'].filter((name) => nb.backendInfo(name).available);

describe('PlanThreadChoice when the pool changes size', () => {
  it('starts measuring at the next re-check once the pool has grown, and stops once it is one thread', () => {
    let pool = 1;
    const choice = new PlanThreadChoice(() => pool);
    pool = 2;
    expect(drive(choice, RECHECK, 3, 2).every((c) => c === 0)).toBe(true);
    drive(choice, 18, 3, 2);
    expect(choice.choice).toBe(1);
    pool = 1;
    drive(choice, RECHECK + 1, 3, 2);
    expect(choice.measuring).toBe(false);
    expect(choice.choice).toBe(0);
  });
});

describe.each(planBackends)('thread choice of %s plans', (backend) => {
  afterEach(() => vi.restoreAllMocks());

  it('a replayed train step settles on a thread cap, with eager bits on every replay', () => {
    nb.withBackend(backend, () => {
      const capture = engine.instance(backend)!.capture!;
      const compile = capture.compile.bind(capture);
      const plans: CompiledKernels<TypedArray>[] = [];
      vi.spyOn(capture, 'compile').mockImplementation((...args) => {
        const plan = compile(...args) as CompiledKernels<TypedArray> | null;
        if (plan) plans.push(plan);
        return plan;
      });
      nb.random.seed(11);
      const make = () => [new nb.Variable(nb.random.normal([64, 300], { seed: 1 })), new nb.Variable(nb.zeros([300]))] as const;
      const step = (vars: readonly [nb.Variable, nb.Variable], x: nb.Tensor) => {
        const [w, b] = vars;
        const tape = new nb.GradientTape();
        const loss = nb.mean(nb.square(nb.tanh(nb.matmul(x, w).add(b))));
        const grads = tape.gradient(loss, [w, b]);
        w.assignSub(grads[0]!.mul(0.1));
        b.assignSub(grads[1]!.mul(0.1));
        return loss;
      };
      const eagerVars = make();
      const jitVars = make();
      const jitted = nb.jit((x: nb.Tensor) => step(jitVars, x));
      const x = nb.random.normal([256, 64]);
      for (let i = 0; i < 24; i++) {
        expect(Array.from(jitted(x).dataSync())).toEqual(Array.from(step(eagerVars, x).dataSync()));
        expect(Array.from(jitVars[0].dataSync())).toEqual(Array.from(eagerVars[0].dataSync()));
      }
      expect(plans.length).toBe(1);
      const threads = Number(engine.instance(backend)!.info().threads ?? 1);
      // 2 warm-up replays, then 8 on each cap: decided by the 24th call (two of which recorded).
      const choice = plans[0]!.threadChoice!();
      if (threads > 1) expect([0, 1]).toContain(choice);
      else expect(choice).toBe(0);
    });
  });
});
