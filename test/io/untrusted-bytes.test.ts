// Bytes from files: Node Buffers and views at an offset decode like plain arrays; the chunked reader
// reads exactly the file (files over 2 GiB go through the same loop) and refuses what is not a file.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { readRegularFile } from '../../src/io/read-file.js';

const dir = mkdtempSync(join(tmpdir(), 'nabla-bytes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sample = () => ({
  f32: nb.tensor([1.5, -2, 3.25], [3], 'float32'),
  f64: nb.tensor([Math.PI, -1e-300], [2], 'float64'),
  i32: nb.tensor([-7, 2147483647], [2], 'int32'),
  b: nb.tensor([true, false, true]),
});

function expectSample(tensors: Record<string, nb.Tensor>): void {
  expect([...tensors.f32!.dataSync()]).toEqual([1.5, -2, 3.25]);
  expect([...tensors.f64!.dataSync()]).toEqual([Math.PI, -1e-300]);
  expect([...tensors.i32!.dataSync()]).toEqual([-7, 2147483647]);
  expect([...tensors.b!.dataSync()]).toEqual([1, 0, 1]);
}

describe('safetensors.decode of Buffers and offset views', () => {
  it('decodes a Buffer from readFileSync (a view into a pooled ArrayBuffer)', async () => {
    const path = join(dir, 'a.safetensors');
    await nb.io.safetensors.save(path, sample());
    const buf = readFileSync(path);
    expectSample(nb.io.safetensors.decode(buf).tensors);
  });

  it('decodes a small Buffer that sits at a nonzero offset of Node’s shared pool', () => {
    const bytes = nb.io.safetensors.encode(sample());
    const pooled = Buffer.from(bytes); // small Buffers are carved out of one shared pool
    expectSample(nb.io.safetensors.decode(pooled).tensors);
  });

  it('decodes a Uint8Array view at an odd offset of a larger buffer', () => {
    const bytes = nb.io.safetensors.encode(sample());
    const big = new Uint8Array(bytes.length + 13);
    big.fill(0xee);
    big.set(bytes, 5);
    expectSample(nb.io.safetensors.decode(big.subarray(5, 5 + bytes.length)).tensors);
  });
});

describe('readRegularFile', () => {
  it('reads a file in chunks of any size, byte for byte', async () => {
    const path = join(dir, 'chunks.bin');
    const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) % 251);
    writeFileSync(path, data);
    for (const chunkBytes of [1, 7, 999, 1000, 4096]) {
      expect(await readRegularFile(path, 'test', { chunkBytes })).toEqual(data);
    }
    expect(await readRegularFile(path, 'test', { chunkBytes: 3, expectedBytes: 1000 })).toEqual(data);
  });

  it('refuses a size other than the declared one before reading', async () => {
    const path = join(dir, 'declared.bin');
    writeFileSync(path, new Uint8Array(10));
    await expect(readRegularFile(path, 'test', { expectedBytes: 12 })).rejects.toThrow(/has 10 bytes but 12 are declared/);
    await expect(readRegularFile(path, 'test', { maxBytes: 9 })).rejects.toThrow(/at most 9/);
  });

  it('refuses a FIFO at once instead of waiting for a writer, and devices and folders', async () => {
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    await expect(readRegularFile(fifo, 'test')).rejects.toThrow(/FIFO/);
    await expect(readRegularFile('/dev/zero', 'test')).rejects.toThrow(/device/);
    await expect(readRegularFile(dir, 'test')).rejects.toThrow(nb.ValueError);
    const link = join(dir, 'zero-link');
    symlinkSync('/dev/zero', link);
    await expect(readRegularFile(link, 'test')).rejects.toThrow(/device/);
  });

  it('safetensors.load reads through it (a FIFO is refused, not waited on)', async () => {
    const fifo = join(dir, 'pipe2.safetensors');
    execFileSync('mkfifo', [fifo]);
    await expect(nb.io.safetensors.load(fifo)).rejects.toThrow(/FIFO/);
  });
});
