// Denoising a sum of sines with nb.signal: zero the spectrum above a cut-off, then learn a gain per
// frequency bin by gradient descent through rfft and irfft (the transforms are differentiable).
import * as nb from '../src/index.js';

const quick = process.argv.includes('--quick');
nb.random.seed(5);
const n = quick ? 256 : 1024; // samples over one second
const t = nb.linspace(0, 1 - 1 / n, n);

/** A batch of signals: two sines (3-15 Hz, random phases and amplitudes), clean and with noise. */
function batch(size: number): { clean: nb.Tensor; noisy: nb.Tensor } {
  const sine = () => {
    const freq = nb.floor(nb.random.uniform([size, 1], { min: 3, max: 16 }));
    const phase = nb.random.uniform([size, 1], { min: 0, max: 2 * Math.PI });
    const amp = nb.random.uniform([size, 1], { min: 0.5, max: 1 });
    return amp.mul(nb.sin(freq.mul(t).mul(2 * Math.PI).add(phase)));
  };
  const clean = sine().add(sine());
  return { clean, noisy: clean.add(nb.random.normal([size, n], { stddev: 0.5 })) };
}

const rms = (a: nb.Tensor, b: nb.Tensor) => Math.sqrt(nb.mean(nb.square(a.sub(b))).item());

// 1. A brick-wall low-pass filter: keep the bins below 20 Hz (bin k is k Hz over one second).
const bins = n / 2 + 1;
const cutoff = 20;
const keep = nb.tensor(Array.from({ length: bins }, (_, k) => (k < cutoff ? 1 : 0))).reshape([bins, 1]);
const lowPass = (x: nb.Tensor) => nb.signal.irfft(nb.signal.rfft(x).mul(keep), n);

const test = batch(64);
const noisyError = rms(test.noisy, test.clean);
const lowPassError = rms(lowPass(test.noisy), test.clean);
console.log(`noise rms ${noisyError.toFixed(3)}; after the ${cutoff} Hz low-pass ${lowPassError.toFixed(3)}`);

// 2. Learned gains, one per bin, fitted on noisy/clean pairs (a Wiener-style filter).
const gains = new nb.Variable(nb.full([bins, 1], 0.5));
const filter = (x: nb.Tensor) => nb.signal.irfft(nb.signal.rfft(x).mul(gains), n);
const optimizer = new nb.optimizers.Adam(0.05);
const steps = quick ? 60 : 300;
for (let step = 0; step < steps; step++) {
  nb.tidy(() => {
    const { clean, noisy } = batch(32);
    optimizer.minimize(() => nb.mean(nb.square(filter(noisy).sub(clean))), [gains]);
  });
}
const learnedError = rms(filter(test.noisy), test.clean);
const highGain = nb.mean(gains.slice([cutoff + 10, 0], [bins - cutoff - 10, 1])).item();
console.log(`learned filter ${learnedError.toFixed(3)}; mean gain above ${cutoff + 10} Hz ${highGain.toFixed(3)}`);
console.log(`RESULT noisy=${noisyError} lowpass=${lowPassError} learned=${learnedError} highgain=${highGain}`);
