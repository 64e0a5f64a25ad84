// Strings and hash tables in graph models: the table fixture (a vocabulary table filled by the
// modelInitializer graph, LookupTableFindV2 with a default, LookupTableSizeV2,
// StringToHashBucketFast, StaticRegexReplace, StringSplit) against TF.js's executeAsync on the same
// files; FarmHash Fingerprint64 buckets against TF.js's for strings of every length path; nb.jit
// refused by name where a lookup's keys depend on the model's inputs.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as nb from '../../../src/index.js';
import { fingerprint64 } from '../../../src/io/tfgraph/fingerprint64.js';
import { graphModelFromJson } from '../../../src/io/tfgraph/index.js';
import { NablaError } from '../../../src/errors.js';
import { backendsUnderTest } from '../../conformance/harness.js';

const DIR = new URL('../../fixtures/tfjs-graph/table/', import.meta.url).pathname;
const NODES = ['ids', 'vocab_size', 'scaled', 'buckets', 'lower', 'pieces', 'pieces:1', 'pieces:2', 'piece_buckets', 'ngrams', 'ngrams:1', 'long_ngrams', 'long_ngrams:1'];
const WORDS = ['the', 'cat', 'dog', 'mat', '', 'sat-on-the-MAT', 'naïve', 'A-very-long-compound-word-that-runs-past-sixty-four-bytes-for-the-long-hash-path'];

function files(): { json: Record<string, unknown>; bin: Uint8Array } {
  return { json: JSON.parse(readFileSync(`${DIR}model.json`, 'utf8')), bin: new Uint8Array(readFileSync(`${DIR}group1-shard1of1.bin`)) };
}

type Values = (number | string)[];

async function tfjsValues(words: string[]): Promise<{ data: Values; shape: number[] }[]> {
  const { json, bin } = files();
  const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  const weightSpecs = (json.weightsManifest as { weights: tf.io.WeightsManifestEntry[] }[])[0]!.weights;
  const model = await tf.loadGraphModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology as object, weightSpecs, weightData, format: 'graph-model', modelInitializer: json.modelInitializer as object } as tf.io.ModelArtifacts),
  );
  const input = tf.tensor(words, [words.length], 'string');
  const outs = (await model.executeAsync({ words: input }, NODES)) as tf.Tensor[];
  const values = await Promise.all(outs.map(async (t) => ({ data: Array.from((await t.data()) as ArrayLike<number | string>, (v: unknown) => (v instanceof Uint8Array ? new TextDecoder().decode(v) : v)) as Values, shape: t.shape })));
  tf.dispose([...outs, input]);
  model.dispose();
  return values;
}

const valuesOf = (t: nb.Tensor | nb.StringTensor): Values => (t instanceof nb.StringTensor ? [...t.values] : Array.from(t.dataSync(), Number));

describe.each(backendsUnderTest())('strings and hash tables in graph models on %s', (backend) => {
  it("lookups with a default, the table's size, hash buckets, regex replacement, splitting and n-grams give TF.js's values", async () => {
    await nb.setBackend(backend);
    const want = await tfjsValues(WORDS);
    const g = await nb.models.loadGraphModel(DIR);
    expect(g.inputs[0]).toMatchObject({ name: 'words', dtype: 'string' });
    const got = g.execute({ words: nb.StringTensor.from(WORDS) }, NODES) as (nb.Tensor | nb.StringTensor)[];
    got.forEach((t, i) => {
      expect(t.shape, NODES[i]).toEqual(want[i]!.shape);
      expect(valuesOf(t), NODES[i]).toEqual(want[i]!.data);
    });
    // Known values: the vocabulary's ids and -1 for unknown words.
    expect(valuesOf(got[0]!)).toEqual([7, 3, -1, 5, -1, -1, -1, -1]);
    expect(valuesOf(got[1]!)).toEqual([5]);
    expect(valuesOf(got[4]!)[5]).toBe('s_t-_n-th_-MAT');
    expect(valuesOf(got[6]!).slice(4, 8)).toEqual(['sat', 'on', 'the', 'MAT']);
    expect(valuesOf(got[9]!).slice(0, 2)).toEqual(['the', 'cat']);
    expect(valuesOf(got[9]!)).toContain('<s> the cat');
    expect(valuesOf(got[11]!)).toHaveLength(1);
  });
});

describe('strings and hash tables in graph models', () => {
  it('predict takes plain string arrays and runs eagerly (jitCompile notwithstanding)', async () => {
    const g = await nb.models.loadGraphModel(DIR);
    const y = g.predict({ words: ['on', 'the', 'rug'] }) as Record<string, nb.Tensor>;
    expect(Object.keys(y).length).toBeGreaterThan(0);
    const ids = g.execute(['on', 'the', 'rug'] as never, 'ids') as nb.Tensor;
    expect(Array.from(ids.dataSync())).toEqual([2, 7, -1]);
    expect(g.traceCount).toBe(0);
    // Strings captured by a jitted function would be baked into its trace: refused by name.
    const f = nb.jit((scale: nb.Tensor) => nb.mul(g.execute({ words: ['on', 'the'] }, 'scaled') as nb.Tensor, scale));
    expect(() => f(nb.ones([2]))).toThrow(/LookupTableFindV2 node 'ids' reads the values of its keys on the host, so a model with it runs outside nb.jit|StringToHashBucketFast node .* reads the values of its input on the host/);
  });

  it('a numeric feed for a string input, and a lookup under nb.jit, fail naming the input or op', async () => {
    const g = await nb.models.loadGraphModel(DIR);
    expect(() => g.execute({ words: nb.ones([2]) }, 'ids')).toThrow(/input 'words' expects strings \(an nb.StringTensor\), got float32/);
    // A numeric-keyed table whose keys come from the model's input cannot be traced.
    const ints = (name: string, values: number[], shape: number[]) => ({ name, op: 'Const', attr: { dtype: { type: 'DT_INT32' }, value: { tensor: { dtype: 'DT_INT32', tensorShape: { dim: shape.map((d) => ({ size: String(d) })) }, intVal: values } } } });
    const table = { name: 't', op: 'HashTableV2', attr: { key_dtype: { type: 'DT_INT64' }, value_dtype: { type: 'DT_INT64' } } };
    const numeric = graphModelFromJson(
      {
        format: 'graph-model',
        modelTopology: { node: [{ name: 'k', op: 'Placeholder', attr: { dtype: { type: 'DT_INT32' } } }, table, ints('none', [-1], []), { name: 'ids', op: 'LookupTableFindV2', input: ['t', 'k', 'none'] }] },
        modelInitializer: { node: [table, ints('keys', [0, 1, 2, 3, 4], [5]), ints('values', [7, 3, 11, 2, 5], [5]), { name: 'init', op: 'LookupTableImportV2', input: ['t', 'keys', 'values'] }] },
        weightsManifest: [],
      },
      [],
      'int-keys',
    );
    expect(Array.from((numeric.execute(nb.tensor([4, 9, 0], [3], 'int32'), 'ids') as nb.Tensor).dataSync())).toEqual([5, -1, 7]);
    const f = nb.jit((k: nb.Tensor) => numeric.execute(k, 'ids') as nb.Tensor);
    expect(() => f(nb.tensor([1, 2], [2], 'int32'))).toThrow(/LookupTableFindV2 node 'ids' reads the values of its keys on the host, so a model with it runs outside nb.jit/);
  });

  it('StringToHashBucketFast is FarmHash Fingerprint64 modulo the buckets, as in TF.js, for every length path (0 to 200 bytes) and UTF-8', () => {
    const strs = [...Array.from({ length: 201 }, (_, n) => Array.from({ length: n }, (_, i) => String.fromCharCode(33 + ((i * 13 + n * 7) % 94))).join('')), 'naïve café', '日本語のテキスト'];
    for (const buckets of [2147483647, 1000, 7]) {
      const want = Array.from(tf.string.stringToHashBucketFast(tf.tensor(strs, [strs.length], 'string'), buckets).dataSync());
      const enc = new TextEncoder();
      expect(strs.map((s) => Number(fingerprint64(enc.encode(s)) % BigInt(buckets)))).toEqual(want);
    }
  });

  it('a string weight running past its shard fails clearly', () => {
    const { json, bin } = files();
    expect(() => graphModelFromJson(json, [bin.subarray(0, 10)], 'short')).toThrow(/string .*'vocab_keys'.* past the end of its shards/);
  });

  it('150 mutations of the table model (JSON and shard bytes) load and run or give nabla errors', () => {
    const { json, bin } = files();
    const text = JSON.stringify(json);
    let seed = 777;
    const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
    const REPLACEMENTS: unknown[] = [null, -1, 0, 1e9, 'x', '', true, [], {}, 'string', 'DT_STRING', 'DT_INT32', 'vocab_table', 'words', { s: 'AA==' }];
    let failures = 0;
    for (let trial = 0; trial < 150; trial++) {
      const m = JSON.parse(text) as Record<string, unknown>;
      const slots: [Record<string, unknown> | unknown[], string | number][] = [];
      const walk = (v: unknown) => {
        if (Array.isArray(v)) v.forEach((e, i) => (slots.push([v, i]), walk(e)));
        else if (v && typeof v === 'object') for (const [k, e] of Object.entries(v)) slots.push([v as Record<string, unknown>, k]), walk(e);
      };
      walk(m);
      const [holder, key] = slots[Math.floor(random() * slots.length)]!;
      (holder as Record<string | number, unknown>)[key] = REPLACEMENTS[Math.floor(random() * REPLACEMENTS.length)];
      const shard = bin.slice();
      if (random() < 0.3) shard[Math.floor(random() * shard.length)] = Math.floor(random() * 256);
      try {
        const g = graphModelFromJson(m, [shard], `mutation ${trial}`);
        const y = g.execute({ words: nb.StringTensor.from(['the', 'a-b']) }, NODES);
        for (const t of y as (nb.Tensor | nb.StringTensor)[]) valuesOf(t);
      } catch (e) {
        failures++;
        if (!(e instanceof NablaError)) throw new Error(`mutation ${trial} (${JSON.stringify(key)}) threw ${(e as Error).constructor.name}: ${(e as Error).message}`);
      }
    }
    expect(failures).toBeGreaterThan(10);
  });
});
