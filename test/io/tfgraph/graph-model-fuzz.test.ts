// Mutated graph models (a value of model.json replaced, deleted or retyped; shard bytes changed):
// loading and predicting either work or fail with one of nabla's errors, never a TypeError, crash or hang.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as nb from '../../../src/index.js';
import { NablaError } from '../../../src/errors.js';
import { graphModelFromJson } from '../../../src/io/tfgraph/index.js';

const FIXTURES = new URL('../../fixtures/tfjs-graph/', import.meta.url).pathname;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Every [container, key] of a JSON value, depth first. */
function slots(v: unknown, out: [Record<string, unknown> | unknown[], string | number][] = []): typeof out {
  if (Array.isArray(v)) v.forEach((e, i) => (out.push([v, i]), slots(e, out)));
  else if (v && typeof v === 'object') for (const [k, e] of Object.entries(v)) out.push([v as Record<string, unknown>, k]), slots(e, out);
  return out;
}

const REPLACEMENTS: unknown[] = [null, -1, 0, 1e9, 'x', '', true, [], {}, [1, 2], { i: 'z' }, 'AAAA', 3.5, -7];

describe('mutated graph models', () => {
  for (const name of ['mlp', 'cnn', 'dwbn']) {
    it(`${name}: 150 mutations load and run or give nabla errors`, () => {
      const text = readFileSync(`${FIXTURES}${name}/model.json`, 'utf8');
      const bin = new Uint8Array(readFileSync(`${FIXTURES}${name}/group1-shard1of1.bin`));
      const inputShape = name === 'mlp' ? [2, 8] : name === 'cnn' ? [2, 12, 12, 3] : [2, 9, 9, 4];
      const random = rng(name.length * 7919);
      let failures = 0;
      for (let trial = 0; trial < 150; trial++) {
        const json = JSON.parse(text) as Record<string, unknown>;
        const all = slots(json);
        const [holder, key] = all[Math.floor(random() * all.length)]!;
        const pick = REPLACEMENTS[Math.floor(random() * REPLACEMENTS.length)];
        if (random() < 0.2 && !Array.isArray(holder)) delete (holder as Record<string, unknown>)[key as string];
        else (holder as Record<string | number, unknown>)[key] = pick;
        const shard = bin.slice();
        if (random() < 0.2) shard[Math.floor(random() * shard.length)] = Math.floor(random() * 256);
        try {
          const model = graphModelFromJson(json, [shard], `mutation ${trial}`);
          const y = model.predict(nb.ones(inputShape));
          for (const t of Array.isArray(y) ? y : [y as nb.Tensor]) t.dataSync();
        } catch (e) {
          failures++;
          if (!(e instanceof NablaError)) throw new Error(`mutation ${trial} (${JSON.stringify(key)} := ${JSON.stringify(pick)}) threw ${(e as Error).constructor.name}: ${(e as Error).message}`);
        }
      }
      // The mutations must reach the checks: a fair share fails (with nabla's errors).
      expect(failures).toBeGreaterThan(10);
    });
  }
});
