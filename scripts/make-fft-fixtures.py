#!/usr/bin/python3
"""Reference values for nb.signal's transforms from numpy.fft (test/fixtures/fft.json).

Run: /usr/bin/python3 scripts/make-fft-fixtures.py
Inputs come from a fixed seed and are rounded to 6 decimals (exact enough in float32 to compare at
float32 tolerance); outputs are float64 rounded to 12 decimals. Complex values are written as nested lists with a trailing
pair [real, imag], the layout nb.signal uses.
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'fft.json')
rng = np.random.default_rng(17)


def as_pairs(z):
    return np.round(np.stack([z.real, z.imag], axis=-1), 12).tolist()


def as_real(x):
    return np.round(x, 12).tolist()


def real_input(shape):
    return np.round(rng.uniform(-1, 1, size=shape), 6)


def complex_input(shape):
    return real_input(shape) + 1j * real_input(shape)


cases = []
# 1-D lengths: 1, powers of two, odd, even non-powers (Bluestein), a prime; batched [2, n].
for n in [1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 17]:
    z = complex_input((2, n))
    x = real_input((2, n))
    cases.append({'op': 'fft', 'input': as_pairs(z), 'expected': as_pairs(np.fft.fft(z))})
    cases.append({'op': 'ifft', 'input': as_pairs(z), 'expected': as_pairs(np.fft.ifft(z))})
    cases.append({'op': 'rfft', 'input': x.tolist(), 'expected': as_pairs(np.fft.rfft(x))})
    # irfft of an arbitrary half spectrum (imaginary DC/Nyquist parts are ignored by numpy).
    h = complex_input((2, n // 2 + 1))
    cases.append({'op': 'irfft', 'n': n, 'input': as_pairs(h), 'expected': as_real(np.fft.irfft(h, n))})

# Options: n (crop and pad) and the three norms.
z = complex_input((3, 6))
x = real_input((3, 6))
for norm in ['backward', 'ortho', 'forward']:
    for n in [4, 6, 9]:
        cases.append({'op': 'fft', 'n': n, 'norm': norm, 'input': as_pairs(z), 'expected': as_pairs(np.fft.fft(z, n, norm=norm))})
        cases.append({'op': 'ifft', 'n': n, 'norm': norm, 'input': as_pairs(z), 'expected': as_pairs(np.fft.ifft(z, n, norm=norm))})
        cases.append({'op': 'rfft', 'n': n, 'norm': norm, 'input': x.tolist(), 'expected': as_pairs(np.fft.rfft(x, n, norm=norm))})
        cases.append({'op': 'irfft', 'n': n, 'norm': norm, 'input': as_pairs(z), 'expected': as_real(np.fft.irfft(z, n, norm=norm))})

# 2-D over the last two axes, batched, with and without s.
for shape in [(4, 4), (3, 5), (2, 1, 6), (2, 3, 4)]:
    z = complex_input(shape)
    x = real_input(shape)
    cases.append({'op': 'fft2', 'input': as_pairs(z), 'expected': as_pairs(np.fft.fft2(z))})
    cases.append({'op': 'ifft2', 'input': as_pairs(z), 'expected': as_pairs(np.fft.ifft2(z))})
    cases.append({'op': 'rfft2', 'input': x.tolist(), 'expected': as_pairs(np.fft.rfft2(x))})
    h = np.fft.rfft2(x)
    s = list(shape[-2:])
    cases.append({'op': 'irfft2', 's': s, 'input': as_pairs(h), 'expected': as_real(np.fft.irfft2(h, s))})
z = complex_input((3, 5))
x = real_input((3, 5))
for norm in ['backward', 'ortho', 'forward']:
    cases.append({'op': 'fft2', 's': [4, 6], 'norm': norm, 'input': as_pairs(z), 'expected': as_pairs(np.fft.fft2(z, (4, 6), norm=norm))})
    cases.append({'op': 'ifft2', 's': [2, 3], 'norm': norm, 'input': as_pairs(z), 'expected': as_pairs(np.fft.ifft2(z, (2, 3), norm=norm))})
    cases.append({'op': 'rfft2', 's': [4, 7], 'norm': norm, 'input': x.tolist(), 'expected': as_pairs(np.fft.rfft2(x, (4, 7), norm=norm))})
    cases.append({'op': 'irfft2', 's': [3, 5], 'norm': norm, 'input': as_pairs(z), 'expected': as_real(np.fft.irfft2(z, (3, 5), norm=norm))})

with open(OUT, 'w') as f:
    json.dump({'numpy': np.__version__, 'cases': cases}, f, separators=(',', ':'))
    f.write('\n')
print(f'wrote {len(cases)} cases to {os.path.relpath(OUT)}')
