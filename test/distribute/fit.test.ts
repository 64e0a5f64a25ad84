// Data-parallel fit between two processes on loopback (one thread each): the same weights as one
// process on the concatenated batches, one progress bar and one checkpoint writer (rank 0), and a
// clear error within the timeout on the surviving rank when the other dies or hangs.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFixture, collectivesUnavailable, freePort, readJson, removeWorkDir, start, workDir } from './harness.js';

const unavailable = collectivesUnavailable();
afterAll(removeWorkDir);

interface FitResult {
  rank: number;
  weights: number[][];
  history: Record<string, number[]>;
  evaluated: Record<string, number>;
  /** The weights when fit began (before rank 0's broadcast). */
  initialWeights: number[][];
  /** Tensors alive after a further one-epoch fit, minus those alive before it. */
  leaked: number;
  checkpoints: string[];
  traces: { train: number; gradients: number; apply: number };
}

describe.skipIf(unavailable !== null)(`data-parallel fit over gloo${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let child = '';
  beforeAll(async () => {
    child = await bundleFixture('fit-child');
  }, 60_000);

  for (const [kind, source] of [['mlp', 'arrays'], ['cnn', 'arrays'], ['mlp', 'dataset']] as const) {
    it(`${kind} on ${source}: two ranks on halves of each batch end with the weights of one process on whole batches`, async () => {
      const port = await freePort();
      const out = (name: string) => join(workDir, `${kind}-${source}-${name}.json`);
      const ckpt = join(workDir, `${kind}-${source}-ckpt`);
      const args = (name: string, prefix: string) => [kind, out(name), '--epochs', '2', '--checkpoint', prefix, ...(source === 'dataset' ? ['--dataset'] : [])];
      const reference = start(child, args('reference', `${ckpt}-reference`), null);
      const ranks = [0, 1].map((rank) => start(child, args(`rank${rank}`, ckpt), { rank, world: 2, port, timeoutMs: 30_000 }));
      const exits = await Promise.all([reference, ...ranks].map((p) => p.exited));
      for (const e of exits) expect(e.code, e.stderr).toBe(0);
      const ref = readJson<FitResult>(out('reference'));
      const [r0, r1] = [0, 1].map((r) => readJson<FitResult>(out(`rank${r}`)));
      // Both halves of the data-parallel step ran compiled (one trace each), as the whole step does alone.
      expect(ref.traces).toEqual({ train: 1, gradients: 0, apply: 0 });
      for (const r of [r0!, r1!]) expect(r.traces).toEqual({ train: 0, gradients: 1, apply: 1 });
      expect(exits[1]!.stderr).not.toMatch(/could not compile/);
      // Every rank applied the same averaged gradients: bit-identical weights.
      expect(r1!.weights).toEqual(r0!.weights);
      expect(r0!.weights.length).toBe(ref.weights.length);
      ref.weights.forEach((w, i) => w.forEach((v, j) => expect(Math.abs(r0!.weights[i]![j]! - v), `weight ${i}[${j}]`).toBeLessThan(1e-5)));
      // The logs are over every rank's samples: the reference's, on both ranks.
      for (const r of [r0!, r1!]) {
        expect(Object.keys(r.history).sort()).toEqual(Object.keys(ref.history).sort());
        for (const [k, vs] of Object.entries(ref.history)) vs.forEach((v, e) => expect(Math.abs(r.history[k]![e]! - v), `${k} epoch ${e}`).toBeLessThan(1e-5));
        // evaluate in batches of 5 over 2 ranks: parts of 2 and 3 rows, weighted by rows.
        expect(Object.keys(r.evaluated).sort()).toEqual(['accuracy', 'loss']);
        for (const [k, v] of Object.entries(ref.evaluated)) expect(Math.abs(r.evaluated[k]! - v), `evaluate ${k}`).toBeLessThan(1e-5);
      }
      expect(Object.keys(ref.history).sort()).toEqual(['accuracy', 'loss', 'val_accuracy', 'val_loss']);
      // Data-parallel steps keep no tensor that one process's steps would not (arrays: none at all;
      // a dataset's batches stay the dataset's, in both).
      if (source === 'arrays') expect(ref.leaked).toBe(0);
      for (const r of [r0!, r1!]) expect(r.leaked, `rank ${r.rank}`).toBe(ref.leaked);
      // Rank 0 alone prints the progress and writes the checkpoints.
      expect(exits[1]!.stdout).toMatch(/Epoch 2\/2/);
      expect(exits[2]!.stdout).not.toMatch(/Epoch/);
      expect(r0!.checkpoints).toEqual([`${ckpt}-1.safetensors`, `${ckpt}-2.safetensors`]);
      expect(r1!.checkpoints).toEqual([]);
    }, 90_000);
  }

  it('trainOnBatch with each rank\'s own batch: the update of one process on their concatenation', async () => {
    const port = await freePort();
    const out = (name: string) => join(workDir, `on-batch-${name}.json`);
    const reference = start(child, ['mlp', out('reference'), '--train-on-batch'], null);
    const ranks = [0, 1].map((rank) => start(child, ['mlp', out(`rank${rank}`), '--train-on-batch'], { rank, world: 2, port, timeoutMs: 30_000 }));
    for (const e of await Promise.all([reference, ...ranks].map((p) => p.exited))) expect(e.code, e.stderr).toBe(0);
    const ref = readJson<FitResult>(out('reference'));
    const [r0, r1] = [0, 1].map((r) => readJson<FitResult>(out(`rank${r}`)));
    expect(r1!.weights).toEqual(r0!.weights);
    ref.weights.forEach((w, i) => w.forEach((v, j) => expect(Math.abs(r0!.weights[i]![j]! - v), `weight ${i}[${j}]`).toBeLessThan(1e-5)));
  }, 90_000);

  it('a restarted job resumes from rank 0\'s checkpoint as one process resuming from it does', async () => {
    const port = await freePort();
    const out = (name: string) => join(workDir, `resume-${name}.json`);
    const ckpt = join(workDir, 'resume-ckpt');
    // The first job: one epoch, then it "fails"; rank 0 has written the checkpoint.
    const first = [0, 1].map((rank) => start(child, ['mlp', out(`first${rank}`), '--epochs', '1', '--checkpoint', ckpt], { rank, world: 2, port, timeoutMs: 30_000 }));
    for (const e of await Promise.all(first.map((p) => p.exited))) expect(e.code, e.stderr).toBe(0);
    const saved = `${ckpt}-1.safetensors`;
    const resumeArgs = (name: string) => ['mlp', out(name), '--epochs', '3', '--initial-epoch', '1', '--resume', saved];
    const port2 = await freePort();
    const reference = start(child, resumeArgs('reference'), null);
    const ranks = [0, 1].map((rank) => start(child, resumeArgs(`rank${rank}`), { rank, world: 2, port: port2, timeoutMs: 30_000 }));
    for (const e of await Promise.all([reference, ...ranks].map((p) => p.exited))) expect(e.code, e.stderr).toBe(0);
    const ref = readJson<FitResult>(out('reference'));
    const [r0, r1] = [0, 1].map((r) => readJson<FitResult>(out(`rank${r}`)));
    // Rank 0 started from the first job's weights (the checkpoint); rank 1 from its own, replaced.
    expect(r0!.initialWeights).toEqual(readJson<FitResult>(out('first0')).weights);
    expect(r1!.initialWeights).not.toEqual(r0!.initialWeights);
    expect(r1!.weights).toEqual(r0!.weights);
    ref.weights.forEach((w, i) => w.forEach((v, j) => expect(Math.abs(r0!.weights[i]![j]! - v), `weight ${i}[${j}]`).toBeLessThan(1e-5)));
    // Two epochs ran after the restart (1 and 2), on both ranks.
    expect(r0!.history.loss).toHaveLength(2);
    expect(r1!.history.loss).toHaveLength(2);
  }, 90_000);

  it('a rank killed mid-training makes the other fail with the error, not hang', async () => {
    const port = await freePort();
    const job = { world: 2, port, timeoutMs: 3000 };
    const survivor = start(child, ['mlp', join(workDir, 'kill-0.json'), '--epochs', '50'], { rank: 0, ...job });
    const victim = start(child, ['mlp', join(workDir, 'kill-1.json'), '--epochs', '50', '--die-at-step', '2'], { rank: 1, ...job });
    const [s, v] = await Promise.all([survivor.exited, victim.exited]);
    expect(v.signal).toBe('SIGKILL');
    expect(s.code).toBe(1);
    // Whichever collective of the step it was in (the gradients' or the logs').
    expect(s.stderr).toMatch(/fit \((averaging the gradients|reducing the logs) over the ranks\): rank 0 of 2 lost contact with the other ranks .*restart the job/);
    // A dead peer's sockets close: the survivor need not even wait out the timeout.
    expect(s.at - v.at).toBeLessThan(job.timeoutMs + 5000);
  }, 90_000);

  it('a rank that hangs makes the other fail once the timeout passes', async () => {
    const port = await freePort();
    const job = { world: 2, port, timeoutMs: 2000 };
    const survivor = start(child, ['mlp', join(workDir, 'hang-0.json'), '--epochs', '50'], { rank: 0, ...job });
    const hung = start(child, ['mlp', join(workDir, 'hang-1.json'), '--epochs', '50', '--stop-at-step', '2'], { rank: 1, ...job });
    const stoppedAt = await hung.printed('stopping');
    const s = await survivor.exited;
    hung.kill('SIGKILL');
    await hung.exited;
    expect(s.code).toBe(1);
    expect(s.stderr).toMatch(/rank 0 of 2 lost contact with the other ranks .*within the 2000 ms timeout.*Timed out/);
    expect(s.at - stoppedAt).toBeGreaterThanOrEqual(job.timeoutMs - 500);
    expect(s.at - stoppedAt).toBeLessThan(job.timeoutMs + 8000);
  }, 90_000);
});
