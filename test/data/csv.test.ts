import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'nabla-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const tumours = file('tumours.csv', 'size,age,label\n1.5,30,0\n2.5,40,1\n3.5,50,1\n');

describe('nb.data.csv', () => {
  it('yields [features, label] per row, features in file order without the label', async () => {
    const ds = nb.data.csv(tumours, { label: 'label' });
    expect(ds.cardinality()).toBe(nb.data.UNKNOWN);
    const rows = await ds.toArray();
    expect(rows).toHaveLength(3);
    expect(rows[0]![0].arraySync()).toEqual([1.5, 30]);
    expect(rows[0]![0].dtype).toBe('float32');
    expect(rows[2]![1].arraySync()).toEqual(1);
    expect(rows[2]![1].shape).toEqual([]);
  });

  it('selects and orders columns, batches, and can be read twice', async () => {
    const ds = nb.data.csv(tumours, { columns: ['age', 'size'], label: 'label', labelDType: 'int32' }).batch(2);
    for (let pass = 0; pass < 2; pass++) {
      const [b0, b1] = await ds.toArray();
      expect(b0![0].arraySync()).toEqual([[30, 1.5], [40, 2.5]]);
      expect(b0![1].dtype).toBe('int32');
      expect(b0![1].arraySync()).toEqual([0, 1]);
      expect(b1![0].shape).toEqual([1, 2]);
    }
  });

  it('gives records of scalars with features: record, and features alone without a label', async () => {
    const [first] = await nb.data.csv(tumours, { features: 'record', label: 'label' }).toArray();
    expect(Object.keys(first![0])).toEqual(['size', 'age']);
    expect(first![0].age!.item()).toBe(30);
    const [only] = await nb.data.csv(tumours).toArray();
    expect(only!.arraySync()).toEqual([1.5, 30, 0]);
  });

  it('reads headerless files with columnNames, another delimiter, quoted fields and CRLF', async () => {
    const p = file('semi.csv', '1;"2";3\r\n4;5;6\r\n');
    const rows = await nb.data.csv(p, { header: false, columnNames: ['a', 'b', 'c'], delimiter: ';', label: 'a' }).toArray();
    expect(rows.map(([x, y]) => [x.arraySync(), y.item()])).toEqual([
      [[2, 3], 1],
      [[5, 6], 4],
    ]);
  });

  it('fills empty fields from columnDefaults, by name or by position', async () => {
    const p = file('gaps.csv', 'a,b\n1,\n,4\n');
    const byName = await nb.data.csv(p, { columnDefaults: { a: -1, b: -2 } }).toArray();
    expect(byName.map((t) => t.arraySync())).toEqual([[1, -2], [-1, 4]]);
    const byPos = await nb.data.csv(p, { columnDefaults: [7, 8] }).toArray();
    expect(byPos.map((t) => t.arraySync())).toEqual([[1, 8], [7, 4]]);
  });

  it('gives the first rows of a long file when only those are taken', async () => {
    const lines = ['x'];
    for (let i = 0; i < 20000; i++) lines.push(String(i));
    const p = file('long.csv', lines.join('\n'));
    const firsts = await nb.data.csv(p).take(3).toArray();
    expect(firsts.map((t) => t.arraySync())).toEqual([[0], [1], [2]]);
  });

  describe('errors', () => {
    it('names a missing column and lists the columns there are', async () => {
      await expect(nb.data.csv(tumours, { label: 'weight' }).toArray()).rejects.toThrow(
        "csv: label 'weight' is not a column of " + tumours + '; its columns are: size, age, label',
      );
      await expect(nb.data.csv(tumours, { columns: ['size', 'height'] }).toArray()).rejects.toThrow(/column 'height' is not a column/);
    });

    it('names the line of a malformed row', async () => {
      const short = file('short.csv', 'a,b\n1,2\n3\n5,6\n');
      await expect(nb.data.csv(short).toArray()).rejects.toThrow(/line 3/);
      await expect(nb.data.csv(short).toArray()).rejects.toThrow(nb.ValueError);
      const text = file('text.csv', 'a,b\n1,2\n3,4\n5,six\n');
      await expect(nb.data.csv(text).toArray()).rejects.toThrow("csv: " + text + " line 4, column 'b': 'six' is not a number");
      const gap = file('gap.csv', 'a,b\n1,\n');
      await expect(nb.data.csv(gap).toArray()).rejects.toThrow(/line 2, column 'b': empty field/);
      const quote = file('quote.csv', 'a,b\n1,"2\n');
      await expect(nb.data.csv(quote).toArray()).rejects.toThrow(/malformed/);
    });

    it('reports a missing file and bad options', async () => {
      await expect(nb.data.csv(join(dir, 'nope.csv')).toArray()).rejects.toThrow(/cannot read .*nope\.csv/);
      expect(() => nb.data.csv(tumours, { header: false })).toThrow(/columnNames/);
      expect(() => nb.data.csv(tumours, { delimiter: '' })).toThrow(nb.ValueError);
      expect(() => nb.data.csv('')).toThrow(nb.ValueError);
    });
  });
});

describe('nb.data.csv never reads wrong values silently', () => {
  it('refuses a header that names a column twice, naming it; columnNames resolve it', async () => {
    const path = file('dup.csv', 'a,a,label\n1,2,0\n3,4,1\n');
    await expect(nb.data.csv(path, { label: 'label' }).toArray()).rejects.toThrow(/names 'a' more than once \(a, a, label\); name the columns with columnNames/);
    const rows = await nb.data.csv(path, { label: 'label', columnNames: ['a', 'b', 'label'] }).toArray();
    expect(rows.map(([x]) => x.arraySync())).toEqual([[1, 2], [3, 4]]);
    await expect(nb.data.csv(path, { header: false, columnNames: ['x', 'x', 'y'] }).toArray()).rejects.toThrow(/columnNames names 'x' more than once/);
  });

  it('refuses int32 labels that would wrap or be truncated, naming column, line and value', async () => {
    const big = file('big-label.csv', 'f,label\n1,7\n2,3000000000\n');
    await expect(nb.data.csv(big, { label: 'label', labelDType: 'int32' }).toArray()).rejects.toThrow(/big-label\.csv line 3, column 'label': 3000000000 does not fit the int32/);
    const frac = file('frac-label.csv', 'f,label\n1,2.7\n');
    await expect(nb.data.csv(frac, { label: 'label', labelDType: 'int32' }).toArray()).rejects.toThrow(/line 2, column 'label': 2\.7 does not fit the int32/);
    const nan = file('nan-label.csv', 'f,label\n1,nan\n');
    await expect(nb.data.csv(nan, { label: 'label', labelDType: 'int32' }).toArray()).rejects.toThrow(/NaN does not fit the int32/);
    // The edges of int32 are read exactly.
    const edges = file('edge-label.csv', 'f,label\n1,2147483647\n2,-2147483648\n');
    const rows = await nb.data.csv(edges, { label: 'label', labelDType: 'int32' }).toArray();
    expect(rows.map(([, y]) => y.arraySync())).toEqual([2147483647, -2147483648]);
    // float64 keeps what int32 cannot.
    const wide = await nb.data.csv(big, { label: 'label', labelDType: 'float64' }).toArray();
    expect(wide[1]![1].arraySync()).toBe(3000000000);
  });

  it('refuses bool labels other than 0 and 1, and features beyond float32', async () => {
    const two = file('two-label.csv', 'f,label\n1,2\n');
    await expect(nb.data.csv(two, { label: 'label', labelDType: 'bool' }).toArray()).rejects.toThrow(/column 'label': 2 does not fit the bool/);
    const huge = file('huge-feature.csv', 'f,label\n1e39,0\n');
    await expect(nb.data.csv(huge, { label: 'label' }).toArray()).rejects.toThrow(/column 'f': 1e\+39 does not fit the float32/);
  });
});
