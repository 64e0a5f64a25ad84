// The string ops TF.js's graph executor runs (but StringNGrams): StringToHashBucketFast (FarmHash
// Fingerprint64 modulo the bucket count, as TensorFlow hashes), StaticRegexReplace and StringSplit
// (a set of delimiter characters; sparse indices, tokens and dense shape). Strings live on the
// host (nb.StringTensor), so these run eagerly: a model with them runs outside nb.jit.
import { ValueError } from '../../../errors.js';
import { tensor } from '../../../ops/creation.js';
import { StringTensor } from '../../../tensor/string-tensor.js';
import { fingerprint64 } from '../fingerprint64.js';
import type { TfOp, TfOpTable } from '../op-table.js';

const utf8 = new TextEncoder();

const hashBucket: TfOp = {
  run: (ctx) => {
    const input = ctx.strings(0, 'input');
    const buckets = BigInt(ctx.attrs.int('num_buckets', 0));
    return [tensor(input.values.map((s) => Number(fingerprint64(utf8.encode(s)) % buckets)), [...input.shape], 'int32')];
  },
  check: (attrs) => {
    const n = attrs.int('num_buckets', 0);
    if (!(n >= 1 && n <= 2 ** 31 - 1)) attrs.unsupported(`num_buckets ${n} (it must be in 1..2^31-1: the buckets are int32 in nabla)`);
  },
};

const regexReplace: TfOp = {
  run: (ctx) => {
    const input = ctx.strings(0, 'input');
    const re = new RegExp(ctx.attrs.string('pattern', ''), ctx.attrs.bool('replace_global', true) ? 'g' : '');
    const rewrite = ctx.attrs.string('rewrite', '');
    return [new StringTensor(input.values.map((s) => s.replace(re, rewrite)), input.shape)];
  },
  check: (attrs) => {
    try {
      new RegExp(attrs.string('pattern', ''));
    } catch (e) {
      attrs.unsupported(`pattern ${JSON.stringify(attrs.string('pattern', ''))} (${(e as Error).message})`);
    }
  },
};

/** `s` split at every character of `delimiters` (each character when there are none). */
function split(s: string, delimiters: string, skipEmpty: boolean): string[] {
  if (s.length === 0) return [];
  if (delimiters.length === 0) return [...s];
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i <= s.length; i++) {
    if (i === s.length || delimiters.includes(s[i]!)) {
      const token = s.slice(start, i);
      if (!skipEmpty || token.length) out.push(token);
      start = i + 1;
    }
  }
  return out;
}

const stringSplit: TfOp = {
  outputs: 3,
  run: (ctx) => {
    const input = ctx.strings(0, 'input');
    if (input.rank !== 1) throw new ValueError(`loadGraphModel: ${ctx.where}: input must be a vector of strings, got shape [${input.shape.join(', ')}]`);
    const delimiter = ctx.strings(1, 'delimiter');
    if (delimiter.size !== 1) throw new ValueError(`loadGraphModel: ${ctx.where}: delimiter must be one string, got ${delimiter.size}`);
    const skipEmpty = ctx.attrs.bool('skip_empty', true);
    const rows = input.values.map((s) => split(s, delimiter.values[0]!, skipEmpty));
    const indices = rows.flatMap((r, i) => r.flatMap((_, j) => [i, j]));
    const tokens = rows.flat();
    const width = Math.max(0, ...rows.map((r) => r.length));
    return [tensor(indices, [tokens.length, 2], 'int32'), new StringTensor(tokens, [tokens.length]), tensor([rows.length, width], [2], 'int32')];
  },
};

export const stringOps: TfOpTable = {
  StringToHashBucketFast: hashBucket,
  StaticRegexReplace: regexReplace,
  StringSplit: stringSplit,
};
