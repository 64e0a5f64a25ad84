// Runs in the page: the lesson's perceptron (two features, sigmoid cross-entropy with logits,
// SGD on a tape) on one backend, reading values asynchronously so it works on webgpu too.
import * as nb from '/nabla.browser.js';

async function perceptron(backend) {
  await nb.setBackend(backend);
  nb.random.seed(5);
  const n = 128;
  const x = nb.random.normal([n, 2]);
  const y = nb.cast(nb.greater(x.index(':, 0').add(x.index(':, 1').mul(2)), 0.3), 'float32').reshape([n, 1]);
  const w = new nb.Variable(nb.zeros([2, 1]));
  const b = new nb.Variable(nb.zeros([1]));
  const losses = [];
  for (let epoch = 0; epoch < 80; epoch++) {
    const loss = nb.tidy(() => {
      const tape = new nb.GradientTape();
      const logits = nb.matmul(x, w).add(b);
      const l = nb.mean(nb.nn.sigmoidCrossEntropyWithLogits({ labels: y, logits }));
      const [dw, db] = tape.gradient(l, [w, b]);
      w.assignSub(dw.mul(0.5));
      b.assignSub(db.mul(0.5));
      return l;
    });
    losses.push((await loss.data())[0]);
    loss.dispose();
  }
  const acc = nb.mean(nb.cast(nb.equal(nb.greater(nb.matmul(x, w).add(b), 0), nb.cast(y, 'bool')), 'float32'));
  return { backend, info: nb.backendInfo(), firstLoss: losses[0], lastLoss: losses[losses.length - 1], accuracy: (await acc.data())[0], w: Array.from(await w.data()) };
}

// Read before any setBackend: what a page gets by default.
function defaultBackend() {
  const product = nb.matmul(nb.tensor([[1, 2], [3, 4]]), nb.tensor([[5, 6], [7, 8.5]]));
  return { name: nb.getBackend(), info: nb.backendInfo(), matmul: product.arraySync(), computedOn: product.backend };
}

async function main() {
  const results = { hasNavigatorGpu: typeof navigator !== 'undefined' && !!navigator.gpu, runs: [], webgpuUnavailable: null };
  results.default = defaultBackend();
  results.runs.push(await perceptron('js'));
  results.runs.push(await perceptron('wasm'));
  try {
    results.runs.push(await perceptron('webgpu'));
  } catch (e) {
    results.webgpuUnavailable = String(e && e.message ? e.message : e);
  }
  return results;
}

main().then(
  (r) => (window.__nablaResult = r),
  (e) => (window.__nablaResult = { error: String(e && e.stack ? e.stack : e) }),
);
