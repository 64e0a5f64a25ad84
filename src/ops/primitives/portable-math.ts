// log and sin/cos for the random streams, written with + - * / only, in a fixed order, so the
// C++ kernels (native/src/portable-math.h, the same steps) produce the same bits: Math.log and
// Math.cos are V8's own and differ from the C library's in the last bit now and then, which
// would make a seed draw different normals on different backends. Accurate to a few ulp.

const LN2_HI = 6.93147180369123816490e-1; // ln 2 with its low 21 bits zero: e * LN2_HI is exact for |e| < 2^21
const LN2_LO = 1.90821492927058770002e-10; // ln 2 - LN2_HI
const SQRT2 = Math.SQRT2;
const HALF_PI = Math.PI / 2;

// 1/(2k+1), k = 1..12: the series of atanh.
const ATANH_TERMS = Array.from({ length: 12 }, (_, k) => 1 / (2 * k + 3));
// (-1)^k / (2k+1)! and (-1)^k / (2k)!, k = 1..8 and 1..9: Taylor series of sin and cos on [-pi/4, pi/4].
const SIN_TERMS = [-6, 120, -5040, 362880, -39916800, 6227020800, -1307674368000, 355687428096000].map((f) => 1 / f);
const COS_TERMS = [-2, 24, -720, 40320, -3628800, 479001600, -87178291200, 20922789888000, -6402373705728000].map((f) => 1 / f);

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // the word holding the exponent

/** Horner's rule, highest coefficient first in the evaluation: c[0] + z*(c[1] + z*(...)). */
function series(c: readonly number[], z: number): number {
  let p = c[c.length - 1]!;
  for (let k = c.length - 2; k >= 0; k--) p = c[k]! + z * p;
  return p;
}

/** Natural log of a positive, finite, normal x (the random streams pass values in [2^-32, 1]). */
export function portableLog(x: number): number {
  bits[0] = x;
  let e = ((words[HIGH]! >>> 20) & 0x7ff) - 1023;
  words[HIGH] = (words[HIGH]! & 0x800fffff) | 0x3ff00000; // x's mantissa scaled into [1, 2)
  let m = bits[0];
  if (m > SQRT2) {
    m = m / 2;
    e = e + 1;
  }
  // log m = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716.
  const s = (m - 1) / (m + 1);
  const z = s * s;
  const logM = 2 * s + 2 * s * (z * series(ATANH_TERMS, z));
  return e * LN2_HI + (logM + e * LN2_LO);
}

/** sin and cos of x in [-pi/4, pi/4]. */
function sinCosReduced(x: number): [number, number] {
  const z = x * x;
  return [x + x * (z * series(SIN_TERMS, z)), 1 + z * series(COS_TERMS, z)];
}

/** [sin(2 pi u), cos(2 pi u)] for u in [0, 1] (a fraction of a turn). */
export function portableSinCosTurn(u: number): [number, number] {
  const t = u * 4; // quarter turns
  const q = Math.floor(t + 0.5);
  const [s, c] = sinCosReduced((t - q) * HALF_PI);
  switch (q & 3) {
    case 0: return [s, c];
    case 1: return [c, -s];
    case 2: return [-s, -c];
    default: return [-c, s];
  }
}
