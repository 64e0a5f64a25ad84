// nb.signal against numpy.fft (test/fixtures/fft.json, made by scripts/make-fft-fixtures.py) on
// every backend, in float64 and float32: lengths 1, powers of two, odd and even non-powers, batched,
// every norm, 1-D n and 2-D s crops and pads.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import * as nb from '../../src/index.js';
import { backendsUnderTest, expectClose, on } from '../conformance/harness.js';

type Nested = number | Nested[];
interface Case {
  op: 'fft' | 'ifft' | 'rfft' | 'irfft' | 'fft2' | 'ifft2' | 'rfft2' | 'irfft2';
  n?: number;
  s?: [number, number];
  norm?: nb.signal.FftNorm;
  input: Nested;
  expected: Nested;
}

const { cases } = JSON.parse(readFileSync(join(__dirname, '../fixtures/fft.json'), 'utf8')) as { cases: Case[] };

function apply(c: Case, x: nb.Tensor): nb.Tensor {
  if (c.op.endsWith('2')) {
    const opts = { s: c.s, norm: c.norm };
    return nb.signal[c.op as 'fft2'](x, opts);
  }
  return nb.signal[c.op as 'fft'](x, { n: c.n, norm: c.norm });
}

function describeCase(c: Case): string {
  const shape = nb.withBackend('js', () => nb.tensor(c.input as never).shape);
  return `${c.op}${c.n !== undefined ? ` n=${c.n}` : ''}${c.s ? ` s=${c.s.join('x')}` : ''}${c.norm ? ` ${c.norm}` : ''} of [${shape.join(', ')}]`;
}

for (const backend of backendsUnderTest()) {
  describe(`nb.signal vs numpy.fft on ${backend}`, () => {
    for (const dtype of ['float32', 'float64'] as const) {
      it(`${cases.length} cases in ${dtype}`, () =>
        on(backend, () => {
          for (const c of cases) {
            const x = nb.tensor(c.input as never, dtype);
            const y = apply(c, x);
            // Sums of up to ~100 terms of size ~1: float32 keeps about 1e-6 relative per term.
            const tol = dtype === 'float64' ? { rtol: 1e-9, atol: 1e-10 } : { rtol: 1e-4, atol: 2e-5 };
            try {
              expectClose(y, c.expected, tol);
            } catch (e) {
              throw new Error(`${describeCase(c)} (${dtype}): ${(e as Error).message}`);
            }
          }
        }));
    }
  });
}
