import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'nabla-idx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An IDX file of unsigned bytes: magic 0x000008<rank>, big-endian sizes, values. */
function idx(shape: number[], values: ArrayLike<number>): Uint8Array {
  const header = new Uint8Array(4 + 4 * shape.length);
  header.set([0, 0, 0x08, shape.length]);
  const view = new DataView(header.buffer);
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(header.length + values.length);
  out.set(header);
  out.set(values, header.length);
  return out;
}

/** n images whose pixel (r, c) of image i is (i * 7 + r + c) % 256, and labels i % 10. */
function images(n: number): Uint8Array {
  return idx([n, 28, 28], Uint8Array.from({ length: n * 784 }, (_, k) => (Math.floor(k / 784) * 7 + Math.floor((k % 784) / 28) + (k % 28)) % 256));
}
const labels = (n: number) => idx([n], Uint8Array.from({ length: n }, (_, i) => i % 10));

function fashionDir(name: string, trainN: number, testN: number): string {
  const d = join(dir, name);
  mkdirSync(d);
  writeFileSync(join(d, 'train-images-idx3-ubyte.gz'), gzipSync(images(trainN)));
  writeFileSync(join(d, 'train-labels-idx1-ubyte.gz'), gzipSync(labels(trainN)));
  writeFileSync(join(d, 't10k-images-idx3-ubyte.gz'), gzipSync(images(testN)));
  writeFileSync(join(d, 't10k-labels-idx1-ubyte.gz'), gzipSync(labels(testN)));
  return d;
}

describe('parseIdx', () => {
  it('reads the shape from the header and the values after it', () => {
    const a = nb.datasets.parseIdx(idx([2, 3], [1, 2, 3, 4, 5, 255]), 'tiny');
    expect(a.shape).toEqual([2, 3]);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 255]);
  });

  it('rejects a corrupt header: wrong magic, wrong type, wrong rank, truncated data', () => {
    const good = idx([2, 2], [1, 2, 3, 4]);
    const badMagic = good.slice();
    badMagic[0] = 0x12;
    expect(() => nb.datasets.parseIdx(badMagic, 'f.idx')).toThrow(/f\.idx has magic number 0x12000802/);
    const badType = good.slice();
    badType[2] = 0x0d;
    expect(() => nb.datasets.parseIdx(badType, 'f.idx')).toThrow(nb.ValueError);
    expect(() => nb.datasets.parseIdx(good, 'f.idx', 3)).toThrow(/rank 2 in its header; expected 3/);
    expect(() => nb.datasets.parseIdx(good.subarray(0, good.length - 1), 'f.idx')).toThrow(/15 bytes long, but its header \[2, 2\] needs 16 bytes/);
    expect(() => nb.datasets.parseIdx(new Uint8Array([0, 0]), 'f.idx')).toThrow(/too short/);
    expect(() => nb.datasets.parseIdx(new Uint8Array([0, 0, 8, 3, 0]), 'f.idx')).toThrow(/too short for a header of rank 3/);
  });
});

describe('nb.datasets.fashionMnist', () => {
  it('reads gzipped IDX files from a folder', async () => {
    const d = fashionDir('ok', 12, 5);
    const { train, test } = await nb.datasets.fashionMnist.load({ path: d });
    expect(train.x.shape).toEqual([12, 28, 28]);
    expect(train.x.dtype).toBe('float32');
    expect(test.y.dtype).toBe('int32');
    expect(Array.from(train.y.dataSync())).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    expect(Array.from(test.y.dataSync())).toEqual([0, 1, 2, 3, 4]);
    // Image 3, row 2, column 5: (3 * 7 + 2 + 5) % 256 = 28.
    expect(train.x.at(3).at(2).at(5).item()).toBe(28);
    expect(nb.datasets.fashionMnist.classNames).toHaveLength(10);
  });

  it('gives int32 pixels on request', async () => {
    const { train } = await nb.datasets.fashionMnist.load({ path: join(dir, 'ok'), dtype: 'int32' });
    expect(train.x.dtype).toBe('int32');
    expect(train.x.at(3).at(2).at(5).item()).toBe(28);
  });

  it('says how to install the Debian package when the files are absent', async () => {
    await expect(nb.datasets.fashionMnist.load({ path: join(dir, 'absent') })).rejects.toThrow(/apt-get install dataset-fashion-mnist/);
  });

  it('rejects a corrupt header, mismatched counts and wrong image sizes', async () => {
    const corrupt = fashionDir('corrupt', 3, 2);
    const broken = images(3);
    broken[3] = 2;
    writeFileSync(join(corrupt, 'train-images-idx3-ubyte.gz'), gzipSync(broken));
    await expect(nb.datasets.fashionMnist.load({ path: corrupt })).rejects.toThrow(/rank 2 in its header; expected 3/);

    const mismatch = fashionDir('mismatch', 3, 2);
    writeFileSync(join(mismatch, 'train-labels-idx1-ubyte.gz'), gzipSync(labels(4)));
    await expect(nb.datasets.fashionMnist.load({ path: mismatch })).rejects.toThrow(/3 images but .* 4 labels/);

    const small = fashionDir('small', 1, 1);
    writeFileSync(join(small, 't10k-images-idx3-ubyte.gz'), gzipSync(idx([1, 2, 2], [1, 2, 3, 4])));
    await expect(nb.datasets.fashionMnist.load({ path: small })).rejects.toThrow(/2x2; expected 28x28/);

    const badGzip = fashionDir('badgz', 1, 1);
    writeFileSync(join(badGzip, 't10k-labels-idx1-ubyte.gz'), Uint8Array.from([0x1f, 0x8b, 1, 2, 3]));
    await expect(nb.datasets.fashionMnist.load({ path: badGzip })).rejects.toThrow(/cannot be decompressed/);
  });
});
