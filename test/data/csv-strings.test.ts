// String columns and missing values in CSV files, through the data pipeline into the lookup layers.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import * as nb from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'nabla-csv-strings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

// Like the Auto MPG data: a '?' for unknown horsepower and a text origin column.
const cars = file('cars.csv', 'mpg,horsepower,origin\n18,130,USA\n26,?,Europe\n31,65,Japan\n24,95,\n');

describe('csv string columns and missing values', () => {
  it('reads string columns as strings and missing values as the column default', async () => {
    const ds = nb.data.csv(cars, { label: 'mpg', features: 'record', naValues: ['?'], columnTypes: { origin: 'string' }, columnDefaults: { horsepower: NaN, origin: 'unknown' } });
    const rows = await ds.toArray();
    expect(rows.map(([x]) => x.origin)).toEqual(['USA', 'Europe', 'Japan', 'unknown']);
    expect(rows.map(([x]) => (x.horsepower as nb.Tensor).item())).toEqual([130, NaN, 65, 95]);
    // Drop the rows with a missing number, as pandas' dropna.
    const kept = await ds.filter(([x]) => !Number.isNaN((x.horsepower as nb.Tensor).item())).toArray();
    expect(kept).toHaveLength(3);
  });

  it('types the label as a tensor unless columnTypes reads the label column as strings', async () => {
    // Checked by tsc (the typecheck) as well as at run time.
    const numericLabel = nb.data.csv(cars, { label: 'mpg', features: 'record', naValues: ['?'], columnTypes: { origin: 'string' }, columnDefaults: { horsepower: NaN } });
    const mpg = (await numericLabel.take(1).toArray())[0]![1];
    expectTypeOf(mpg).toEqualTypeOf<nb.Tensor>();
    expect(mpg).toBeInstanceOf(nb.Tensor);
    const stringLabel = nb.data.csv(cars, { label: 'origin', features: 'record', naValues: ['?'], columnTypes: { origin: 'string' }, columnDefaults: { horsepower: NaN, origin: '' } });
    const origin = (await stringLabel.take(1).toArray())[0]![1];
    expectTypeOf(origin).toEqualTypeOf<string>();
    expect(origin).toBe('USA');
  });

  it('batches strings into StringTensors that a StringLookup turns into numbers for fit', async () => {
    const lookup = new nb.layers.StringLookup({ vocabulary: ['USA', 'Europe', 'Japan'], outputMode: 'one_hot' });
    const ds = nb.data
      .csv(cars, { label: 'mpg', features: 'record', naValues: ['?'], columnTypes: { origin: 'string' }, columnDefaults: { horsepower: 100, origin: '' } })
      .batch(2);
    const [first] = await ds.take(1).toArray();
    const origin = first![0].origin as unknown as nb.StringTensor;
    expect(origin).toBeInstanceOf(nb.StringTensor);
    expect(origin.shape).toEqual([2]);
    expect(origin.arraySync()).toEqual(['USA', 'Europe']);
    const numeric = ds.map(([x, y]) => [nb.concat([lookup.apply(x.origin) as nb.Tensor, nb.reshape(x.horsepower as nb.Tensor, [-1, 1])], 1), y] as [nb.Tensor, nb.Tensor]);
    const model = new nb.Sequential([new nb.layers.Dense(1, { inputShape: [5] })]);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const before = model.getWeights()[0]!.arraySync();
    await model.fit(numeric, { epochs: 1, verbose: 0 });
    expect(model.getWeights()[0]!.arraySync()).not.toEqual(before);
    await expect(model.fit(ds as never, { epochs: 1, verbose: 0 })).rejects.toThrow(/holds strings .*StringLookup or TextVectorization/);
  });

  it('unbatch gives back one string per element', async () => {
    const ds = nb.data.Dataset.fromArray([
      { word: 'a', n: 1 },
      { word: 'b', n: 2 },
      { word: 'c', n: 3 },
    ]);
    void (async function* () {
      yield { word: 'a', n: 1 };
      yield { word: 'b', n: 2 };
      yield { word: 'c', n: 3 };
    });
    const back = await ds.batch(2).unbatch().toArray();
    expect(back.map((e) => (e.word as unknown as nb.StringTensor).arraySync())).toEqual(['a', 'b', 'c']);
  });

  it('names the problem: strings in a features tensor, a wrong default, unknown options, a missing value without default', async () => {
    expect(() => nb.data.csv(cars, { columnTypes: { origin: 'string' } }).take(1)).not.toThrow();
    await expect(nb.data.csv(cars, { columnTypes: { origin: 'string' } }).toArray()).rejects.toThrow(/'origin' is read as strings.*features: 'record'/);
    await expect(nb.data.csv(cars, { features: 'record', columnTypes: { origin: 'string' }, columnDefaults: { origin: 0 } }).toArray()).rejects.toThrow(/columnDefaults for 'origin' is 0, but the column is read as strings/);
    expect(() => nb.data.csv(cars, { na_values: ['?'] } as never)).toThrow(/unknown option 'na_values'; did you mean 'naValues'/);
    expect(() => nb.data.csv(cars, { columnTypes: { origin: 'text' as never } })).toThrow(/columnTypes\['origin'\] must be 'number' or 'string'/);
    await expect(nb.data.csv(cars, { naValues: ['?'], features: 'record', columnTypes: { origin: 'string' } }).toArray()).rejects.toThrow(/line 3, column 'horsepower': missing value '\?' and no columnDefaults entry/);
  });
});
