// The discrete Fourier transform of one complex row, in float64, in place:
//   X[k] = sum_j x[j] * exp(sign * 2πi jk / n),  sign = -1 forward, +1 inverse (unnormalised).
// Powers of two use the iterative radix-2 Cooley-Tukey algorithm; other lengths use Bluestein's
// algorithm (the DFT rewritten as a convolution with a chirp, done by power-of-two FFTs of length
// >= 2n - 1), so every length costs O(n log n).

/** Twiddles and bit-reversal order of one power-of-two length. */
interface Radix2Plan {
  readonly n: number;
  readonly cos: Float64Array;
  readonly sin: Float64Array;
  readonly reversed: Uint32Array;
}

/** Bluestein's chirp of one length and direction, with the FFT of its convolution kernel. */
interface ChirpPlan {
  readonly m: number;
  readonly chirpRe: Float64Array;
  readonly chirpIm: Float64Array;
  readonly kernelRe: Float64Array;
  readonly kernelIm: Float64Array;
}

const radix2Plans = new Map<number, Radix2Plan>();
const chirpPlans = new Map<string, ChirpPlan>();
/** Plans kept per table: a program cycling through many lengths must not keep them all. */
const MAX_PLANS = 32;

function remember<K, V>(table: Map<K, V>, key: K, value: V): V {
  if (table.size >= MAX_PLANS) table.delete(table.keys().next().value as K);
  table.set(key, value);
  return value;
}

export function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

function radix2Plan(n: number): Radix2Plan {
  const cached = radix2Plans.get(n);
  if (cached) return cached;
  const half = n >> 1;
  const cos = new Float64Array(half);
  const sin = new Float64Array(half);
  for (let k = 0; k < half; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / n);
    sin[k] = Math.sin((2 * Math.PI * k) / n);
  }
  const bits = Math.round(Math.log2(n));
  const reversed = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    reversed[i] = r;
  }
  return remember(radix2Plans, n, { n, cos, sin, reversed });
}

function radix2(re: Float64Array, im: Float64Array, sign: number): void {
  const n = re.length;
  if (n <= 1) return;
  const { cos, sin, reversed } = radix2Plan(n);
  for (let i = 0; i < n; i++) {
    const j = reversed[i]!;
    if (j > i) {
      const tr = re[i]!;
      re[i] = re[j]!;
      re[j] = tr;
      const ti = im[i]!;
      im[i] = im[j]!;
      im[j] = ti;
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1;
    const step = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step]!;
        const wi = sign * sin[k * step]!;
        const a = start + k;
        const b = a + half;
        const br = re[b]! * wr - im[b]! * wi;
        const bi = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - br;
        im[b] = im[a]! - bi;
        re[a]! += br;
        im[a]! += bi;
      }
    }
  }
}

function chirpPlan(n: number, sign: number): ChirpPlan {
  const key = `${n}:${sign}`;
  const cached = chirpPlans.get(key);
  if (cached) return cached;
  let m = 1;
  while (m < 2 * n - 1) m <<= 1;
  // chirp[k] = exp(sign * πi k²/n); k² is reduced mod 2n so the angle stays small and exact.
  const chirpRe = new Float64Array(n);
  const chirpIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const angle = (Math.PI * ((k * k) % (2 * n))) / n;
    chirpRe[k] = Math.cos(angle);
    chirpIm[k] = sign * Math.sin(angle);
  }
  // The convolution kernel is the conjugate chirp at offsets -(n-1)..(n-1), wrapped into length m.
  const kernelRe = new Float64Array(m);
  const kernelIm = new Float64Array(m);
  for (let k = 0; k < n; k++) {
    kernelRe[k] = chirpRe[k]!;
    kernelIm[k] = -chirpIm[k]!;
    if (k > 0) {
      kernelRe[m - k] = chirpRe[k]!;
      kernelIm[m - k] = -chirpIm[k]!;
    }
  }
  radix2(kernelRe, kernelIm, -1);
  return remember(chirpPlans, key, { m, chirpRe, chirpIm, kernelRe, kernelIm });
}

function bluestein(re: Float64Array, im: Float64Array, sign: number): void {
  const n = re.length;
  const { m, chirpRe, chirpIm, kernelRe, kernelIm } = chirpPlan(n, sign);
  const ar = new Float64Array(m);
  const ai = new Float64Array(m);
  for (let k = 0; k < n; k++) {
    ar[k] = re[k]! * chirpRe[k]! - im[k]! * chirpIm[k]!;
    ai[k] = re[k]! * chirpIm[k]! + im[k]! * chirpRe[k]!;
  }
  radix2(ar, ai, -1);
  for (let k = 0; k < m; k++) {
    const r = ar[k]! * kernelRe[k]! - ai[k]! * kernelIm[k]!;
    ai[k] = ar[k]! * kernelIm[k]! + ai[k]! * kernelRe[k]!;
    ar[k] = r;
  }
  radix2(ar, ai, 1);
  for (let k = 0; k < n; k++) {
    const cr = ar[k]! / m;
    const ci = ai[k]! / m;
    re[k] = cr * chirpRe[k]! - ci * chirpIm[k]!;
    im[k] = cr * chirpIm[k]! + ci * chirpRe[k]!;
  }
}

/** The unnormalised DFT (inverse: exponent sign +1) of the row (re, im), in place. */
export function dft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const sign = inverse ? 1 : -1;
  if (isPowerOfTwo(re.length)) radix2(re, im, sign);
  else bluestein(re, im, sign);
}
