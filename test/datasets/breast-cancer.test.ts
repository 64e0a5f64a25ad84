import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';

describe('nb.datasets.breastCancer', () => {
  it('loads 569 tumours with 30 named features and 212 malignant / 357 benign', async () => {
    const bc = await nb.datasets.breastCancer.load();
    expect(bc.x.shape).toEqual([569, 30]);
    expect(bc.x.dtype).toBe('float32');
    expect(bc.y.shape).toEqual([569]);
    expect(bc.y.dtype).toBe('int32');
    expect(bc.featureNames).toHaveLength(30);
    expect(bc.featureNames[0]).toBe('mean radius');
    expect(bc.featureNames[29]).toBe('worst fractal dimension');
    expect(bc.classNames).toEqual(['malignant', 'benign']);
    const y = Array.from(bc.y.dataSync());
    expect(y.filter((v) => v === 0)).toHaveLength(212);
    expect(y.filter((v) => v === 1)).toHaveLength(357);
    // The first row of the file: mean radius 17.99, mean texture 10.38, ..., malignant.
    expect(bc.x.at(0).at(0).item()).toBeCloseTo(17.99, 5);
    expect(bc.x.at(0).at(1).item()).toBeCloseTo(10.38, 5);
    expect(y[0]).toBe(0);
  });

  it('rejects a file without a target column or with a non-number', async () => {
    await expect(nb.datasets.breastCancer.parseBreastCancer('a,b\n1,2\n', 'x.csv')).rejects.toThrow(/no 'target' column/);
    await expect(nb.datasets.breastCancer.parseBreastCancer('a,target\n1,0\nq,1\n', 'x.csv')).rejects.toThrow(/line 3, column 'a': 'q'/);
    await expect(nb.datasets.breastCancer.load({ path: '/nonexistent.csv' })).rejects.toThrow(/cannot read/);
  });

  it('feeds a Dataset through the CSV reader too', async () => {
    const ds = nb.data.csv('data/breast-cancer-wisconsin.csv', { label: 'target', labelDType: 'int32' }).batch(100);
    let rows = 0;
    let benign = 0;
    for await (const [x, y] of ds) {
      expect(x.shape[1]).toBe(30);
      rows += x.shape[0]!;
      benign += Array.from(y.dataSync()).filter((v) => v === 1).length;
    }
    expect(rows).toBe(569);
    expect(benign).toBe(357);
  });
});
