import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors-format.js';
import { floatToHalf, halfToFloat } from '../../src/io/half-float.js';

const dir = mkdtempSync(join(tmpdir(), 'nabla-safetensors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A safetensors file built by hand: header JSON and raw data bytes. */
function fileOf(header: unknown, data: number[] | Uint8Array = [], headerText = JSON.stringify(header)): Uint8Array {
  const json = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function bytesOf(ctor: { new (xs: number[]): { buffer: ArrayBufferLike } }, xs: number[]): number[] {
  return [...new Uint8Array(new ctor(xs).buffer)];
}

describe('safetensors layout', () => {
  it('writes the 8-byte little-endian header length, a JSON header and contiguous data', () => {
    const bytes = encodeSafetensors({ a: nb.tensor([1, 2], [2], 'float32'), b: nb.tensor([7], [1, 1], 'int32') }, { author: 'me' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header).toEqual({
      __metadata__: { author: 'me' },
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'I32', shape: [1, 1], data_offsets: [8, 12] },
    });
    expect([...bytes.subarray(8 + n)]).toEqual([...bytesOf(Float32Array, [1, 2]), ...bytesOf(Int32Array, [7])]);
  });

  it('round-trips F32, F64, I32, BOOL, scalars and empty tensors with metadata', () => {
    const src = {
      f32: nb.tensor([[1.5, -2], [Infinity, NaN]], 'float32'),
      f64: nb.tensor([Math.PI, 1e-300], 'float64'),
      i32: nb.tensor([-2147483648, 2147483647, 0], 'int32'),
      b: nb.tensor([true, false, true]),
      scalar: nb.tensor(3, 'float32'),
      empty: nb.zeros([0, 3]),
    };
    const { tensors, metadata } = decodeSafetensors(encodeSafetensors(src, { format: 'pt' }));
    expect(metadata).toEqual({ format: 'pt' });
    expect(Object.keys(tensors)).toEqual(Object.keys(src));
    for (const [k, t] of Object.entries(src)) {
      expect(tensors[k]!.dtype).toBe(t.dtype);
      expect(tensors[k]!.shape).toEqual(t.shape);
      expect([...tensors[k]!.dataSync()]).toEqual([...t.dataSync()]);
    }
  });

  it('reads F16 and BF16 as float32 (hand-derived bit patterns)', () => {
    const f16 = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x3555];
    const bf16 = [0x3f80, 0xc040, 0x4049];
    const data = [...bytesOf(Uint16Array, f16), ...bytesOf(Uint16Array, bf16)];
    const { tensors } = decodeSafetensors(fileOf({ h: { dtype: 'F16', shape: [6], data_offsets: [0, 12] }, b: { dtype: 'BF16', shape: [3], data_offsets: [12, 18] } }, data));
    expect(tensors.h!.dtype).toBe('float32');
    expect([...tensors.h!.dataSync()]).toEqual([1, -2, 65504, 2 ** -24, Infinity, Math.fround(0.333251953125)]);
    expect([...tensors.b!.dataSync()]).toEqual([1, -3, 3.140625]);
    expect(halfToFloat(floatToHalf(0.1))).toBeCloseTo(0.0999755859375, 12);
    expect(floatToHalf(65520)).toBe(0x7c00);
  });

  it('widens small integers to int32 and narrows 64-bit integers that fit', () => {
    const data = [250, 0xff, ...bytesOf(Int16Array, [-300]), ...bytesOf(Uint16Array, [60000])];
    const big = new Uint8Array(new BigInt64Array([-5n, 1n << 40n]).buffer);
    const { tensors } = decodeSafetensors(fileOf({
      u8: { dtype: 'U8', shape: [1], data_offsets: [0, 1] },
      i8: { dtype: 'I8', shape: [1], data_offsets: [1, 2] },
      i16: { dtype: 'I16', shape: [1], data_offsets: [2, 4] },
      u16: { dtype: 'U16', shape: [1], data_offsets: [4, 6] },
    }, data));
    expect([tensors.u8, tensors.i8, tensors.i16, tensors.u16].map((t) => [t!.dtype, t!.item()])).toEqual([['int32', 250], ['int32', -1], ['int32', -300], ['int32', 60000]]);
    const small = decodeSafetensors(fileOf({ x: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, big.subarray(0, 8)));
    expect(small.tensors.x!.item()).toBe(-5);
    expect(() => decodeSafetensors(fileOf({ x: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } }, big))).toThrow(/1099511627776 at element 1, outside the int32 range/);
  });

  it('reads tensors stored out of order and at unaligned offsets', () => {
    const data = [1, ...bytesOf(Float32Array, [2.5])];
    const { tensors } = decodeSafetensors(fileOf({ f: { dtype: 'F32', shape: [], data_offsets: [1, 5] }, b: { dtype: 'BOOL', shape: [1], data_offsets: [0, 1] } }, data));
    expect(tensors.f!.item()).toBe(2.5);
    expect(tensors.b!.dtype).toBe('bool');
  });

  it('saves and loads files atomically, leaving no temporary files', async () => {
    const path = join(dir, 'sub', 'w.safetensors');
    await nb.io.safetensors.save(path, { w: nb.tensor([1, 2, 3], 'float32') }, { step: '3' });
    await nb.io.safetensors.save(path, { w: nb.tensor([4, 5], 'float32') });
    const { tensors, metadata } = await nb.io.safetensors.load(path);
    expect([...tensors.w!.dataSync()]).toEqual([4, 5]);
    expect(metadata).toEqual({});
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(join(dir, 'sub'))).toEqual(['w.safetensors']);
    await expect(nb.io.safetensors.load(join(dir, 'missing.safetensors'))).rejects.toThrow(/no file at/);
  });
});

describe('safetensors bad input', () => {
  const good = encodeSafetensors({ a: nb.tensor([1, 2, 3], 'float32') });
  const cases: [string, Uint8Array, RegExp][] = [
    ['fewer than 8 bytes', new Uint8Array([1, 0, 0]), /too short for the 8-byte header length/],
    ['a truncated file', good.subarray(0, good.length - 2), /runs past the data/],
    ['a header length past the end', fileOf({}, [], '{}').map((b, i) => (i === 0 ? 200 : b)), /declares a 200-byte header but only 2 bytes follow/],
    ['a header length of 2^64-1', new Uint8Array([255, 255, 255, 255, 255, 255, 255, 255, 123, 125]), /declares a 18446744073709551615-byte header/],
    ['JSON that is not an object', fileOf(null, [], '[1, 2]'), /must be a JSON object starting with '\{'/],
    ['a JSON string', fileOf(null, [], '"x"'), /must be a JSON object/],
    ['broken JSON', fileOf(null, [], '{"a": '), /not valid JSON/],
    ['non-UTF-8 header', fileOf(null, [], '{}').map((b, i) => (i === 9 ? 0xff : b)), /not valid UTF-8/],
    ['overlapping offsets', fileOf({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Array(8).fill(0)), /overlaps the previous tensor/],
    ['offsets past the data', fileOf({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, [0, 0, 0, 0]), /runs past the data \(ends at byte 8 of 4/],
    ['a gap', fileOf({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Array(8).fill(0)), /gap of 4 bytes/],
    ['trailing bytes', fileOf({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Array(6).fill(0)), /2 bytes after the last tensor/],
    ['offsets that disagree with the shape', fileOf({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Array(8).fill(0)), /span 8 bytes, but F32 of shape \[3\] needs 12/],
    ['an unknown dtype', fileOf({ a: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, [0]), /dtype 'F8_E4M3', which nabla cannot read/],
    ['a negative size', fileOf({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }), /expected an array of non-negative integers/],
    ['non-string metadata', fileOf({ __metadata__: { n: 1 } }), /values must be strings; 'n' is number/],
    ['an entry that is not an object', fileOf({ a: 5 }), /must be \{dtype, shape, data_offsets\}/],
  ];
  for (const [what, bytes, message] of cases) {
    it(`refuses ${what} with a clear error`, () => {
      let error: unknown;
      try {
        decodeSafetensors(bytes);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(nb.NablaError);
      expect((error as Error).message).toMatch(message);
    });
  }

  it('refuses a file that is a truncated copy of a real one', async () => {
    const path = join(dir, 'cut.safetensors');
    writeFileSync(path, good.subarray(0, 20));
    await expect(nb.io.safetensors.load(path)).rejects.toThrow(nb.ValueError);
    expect(readFileSync(path).length).toBe(20);
  });

  it('refuses to write what it could not read back', () => {
    expect(() => encodeSafetensors({ __metadata__: nb.zeros([1]) })).toThrow(/cannot name a tensor/);
    expect(() => encodeSafetensors({ a: [1, 2] as unknown as nb.Tensor })).toThrow(/'a' is not a Tensor/);
    expect(() => encodeSafetensors({}, { n: 1 as unknown as string })).toThrow(/must be strings/);
  });
});

describe('safetensors fuzz', () => {
  it('every mutated file decodes or raises a NablaError (seeded)', () => {
    let seed = 12345;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const seeds = [
      encodeSafetensors({ w: nb.tensor([[1, 2], [3, 4]], 'float32'), b: nb.tensor([1, 0, 1], 'bool'), i: nb.tensor([5, 6], 'int32') }, { k: 'v' }),
      encodeSafetensors({ d: nb.tensor([1.5], 'float64'), e: nb.zeros([0]) }),
      fileOf({ h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] }, l: { dtype: 'I64', shape: [1], data_offsets: [4, 12] } }, new Array(12).fill(1)),
    ];
    const outcomes = { decoded: 0, refused: 0 };
    for (let n = 0; n < 3000; n++) {
      const base = seeds[n % seeds.length]!;
      let bytes = base.slice();
      const kind = Math.floor(rand() * 4);
      if (kind === 0) {
        // Flip a few random bytes anywhere.
        for (let k = 0; k < 1 + Math.floor(rand() * 4); k++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
      } else if (kind === 1) {
        bytes = bytes.subarray(0, Math.floor(rand() * bytes.length));
      } else if (kind === 2) {
        // Mutate a digit or quote inside the JSON header, where the structure lives.
        const n0 = Number(new DataView(bytes.buffer).getBigUint64(0, true));
        const at = 8 + Math.floor(rand() * n0);
        bytes[at] = '0123456789[]{}",:-'.charCodeAt(Math.floor(rand() * 18));
      } else {
        const extra = new Uint8Array(Math.floor(rand() * 9)).map(() => Math.floor(rand() * 256));
        const joined = new Uint8Array(bytes.length + extra.length);
        joined.set(bytes);
        joined.set(extra, bytes.length);
        bytes = joined;
      }
      try {
        const { tensors } = decodeSafetensors(bytes);
        for (const t of Object.values(tensors)) expect(t.size).toBe(t.dataSync().length);
        outcomes.decoded++;
      } catch (e) {
        if (!(e instanceof nb.NablaError)) throw new Error(`mutation ${n} escaped as ${String(e)}`);
        outcomes.refused++;
      }
    }
    expect(outcomes.decoded).toBeGreaterThan(50);
    expect(outcomes.refused).toBeGreaterThan(500);
  });
});
