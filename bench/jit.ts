// Eager vs nb.jit: the 784-128-10 MLP train step (batch 32 and 128) and a 10-op elementwise chain.
import { medianMs, nb, type Row } from './common.js';

function mlpStep() {
  nb.random.seed(3);
  const w1 = new nb.Variable(nb.random.normal([784, 128], { stddev: 0.05 }));
  const b1 = new nb.Variable(nb.zeros([128]));
  const w2 = new nb.Variable(nb.random.normal([128, 10], { stddev: 0.05 }));
  const b2 = new nb.Variable(nb.zeros([10]));
  const lr = 0.01;
  return (x: nb.Tensor, y: nb.Tensor) => {
    const tape = new nb.GradientTape();
    const h = nb.relu(nb.matmul(x, w1).add(b1));
    const logits = nb.matmul(h, w2).add(b2);
    const loss = nb.mean(nb.nn.softmaxCrossEntropyWithLogits({ labels: y, logits }));
    const grads = tape.gradient(loss, [w1, b1, w2, b2]);
    [w1, b1, w2, b2].forEach((v, i) => v.assignSub(grads[i]!.mul(lr)));
    return loss;
  };
}

const chain = (a: nb.Tensor) => a.mul(2).add(1).exp().neg().abs().sqrt().mul(3).sub(1).square().add(2);

export async function benchJit(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const batch of [32, 128]) {
    const x = nb.random.uniform([batch, 784]);
    const y = nb.oneHot(nb.random.int([batch], 0, 10), 10);
    const eager = mlpStep();
    const jitted = nb.jit(mlpStep());
    const steps = 50;
    const eagerMs = await medianMs(() => {
      for (let i = 0; i < steps; i++) eager(x, y);
      return eager(x, y).dataSync();
    });
    const jitMs = await medianMs(() => {
      for (let i = 0; i < steps; i++) jitted(x, y);
      return jitted(x, y).dataSync();
    });
    const rate = (ms: number) => ((steps + 1) * batch * 1000) / ms;
    rows.push({ name: `MLP train step, batch ${batch}`, unit: 'samples/s', higherIsBetter: true, nabla: rate(eagerMs), nablaJit: rate(jitMs) });
  }
  const big = nb.random.uniform([1_000_000]);
  const jchain = nb.jit(chain);
  const eagerMs = await medianMs(() => chain(big).dataSync());
  const jitMs = await medianMs(() => jchain(big).dataSync());
  rows.push({ name: '10 elementwise ops, 1M elements', unit: 'ms', higherIsBetter: false, nabla: eagerMs, nablaJit: jitMs });
  return rows;
}
