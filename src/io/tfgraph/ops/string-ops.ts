// The string ops TF.js's graph executor runs: StringToHashBucketFast (FarmHash Fingerprint64 modulo
// the bucket count, as TensorFlow hashes), StaticRegexReplace, StringSplit (a set of delimiter
// characters; sparse indices, tokens and dense shape) and StringNGrams (n-grams of each row of a
// ragged string tensor: its values and row splits). Strings live on the
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

interface NGramSpec {
  separator: string;
  leftPad: string;
  rightPad: string;
  /** Pads per side; negative: width - 1. */
  padWidth: number;
}

/** The `count` n-grams of width `width` of `row` (TensorFlow's: left pads, tokens, right pads, joined by the separator). */
function ngramsOf(row: readonly string[], width: number, pad: number, count: number, spec: NGramSpec): string[] {
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    const left = Math.max(0, pad - k);
    const right = Math.max(0, pad - (count - 1 - k));
    const tokens = width - left - right;
    const start = left > 0 ? 0 : k - pad;
    out.push([...Array<string>(left).fill(spec.leftPad), ...row.slice(start, start + tokens), ...Array<string>(right).fill(spec.rightPad)].join(spec.separator));
  }
  return out;
}

const stringNGrams: TfOp = {
  outputs: 2,
  run: (ctx) => {
    const data = ctx.strings(0, 'data');
    const splits = ctx.hostElements(1, 'data_splits').values as number[];
    const widths = ctx.attrs.ints('ngram_widths') ?? [];
    const spec: NGramSpec = { separator: ctx.attrs.string('separator', ' '), leftPad: ctx.attrs.string('left_pad', ''), rightPad: ctx.attrs.string('right_pad', ''), padWidth: ctx.attrs.int('pad_width', -1) };
    const preserveShort = ctx.attrs.bool('preserve_short_sequences', false);
    if (splits.length > 0 && (splits[0] !== 0 || splits.at(-1) !== data.size || splits.some((v, i) => i > 0 && v < splits[i - 1]!))) {
      throw new ValueError(`loadGraphModel: ${ctx.where}: data_splits [${splits.slice(0, 8).join(', ')}${splits.length > 8 ? ', ...' : ''}] must rise from 0 to the data's size ${data.size}`);
    }
    const grams: string[] = [];
    const outSplits = [0];
    for (let r = 0; r + 1 < splits.length; r++) {
      const row = data.values.slice(splits[r], splits[r + 1]);
      const before = grams.length;
      for (const w of widths) {
        const pad = Math.min(spec.padWidth < 0 ? w - 1 : spec.padWidth, w - 1);
        grams.push(...ngramsOf(row, w, pad, Math.max(0, row.length + 2 * pad - w + 1), spec));
      }
      // A row too short for every width gives one n-gram of all its tokens, padded.
      if (preserveShort && row.length > 0 && grams.length === before) grams.push(...ngramsOf(row, row.length + 2 * spec.padWidth, spec.padWidth, 1, spec));
      outSplits.push(grams.length);
    }
    return [new StringTensor(grams, [grams.length]), tensor(splits.length ? outSplits : [], [splits.length ? outSplits.length : 0], 'int32')];
  },
  check: (attrs) => {
    const widths = attrs.ints('ngram_widths') ?? [];
    if (!widths.every((w) => Number.isInteger(w) && w >= 1 && w <= 1024)) attrs.unsupported(`ngram_widths ${JSON.stringify(widths)} (positive widths up to 1024)`);
    if (attrs.int('pad_width', -1) > 1024) attrs.unsupported(`pad_width ${attrs.int('pad_width', -1)}`);
  },
};

export const stringOps: TfOpTable = {
  StringNGrams: stringNGrams,
  StringToHashBucketFast: hashBucket,
  StaticRegexReplace: regexReplace,
  StringSplit: stringSplit,
};
