import { checkOptions, optionKeys } from '../check-options.js';
import { engine } from '../engine/engine.js';
import { ValueError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { valuesOf } from './host-rows.js';

/** Options of {@link padSequences} (keras.utils.pad_sequences). */
export interface PadSequencesOptions {
  /** Length of every row (default: the longest sequence). */
  maxlen?: number;
  /** 'int32' (default), 'float32' or 'float64'. */
  dtype?: 'int32' | 'float32' | 'float64';
  /** Pad before ('pre', default) or after ('post') each sequence. */
  padding?: 'pre' | 'post';
  /** Drop values from the start ('pre', default) or the end ('post') of a sequence longer than maxlen. */
  truncating?: 'pre' | 'post';
  /** The padding value (default 0). */
  value?: number;
}

const PAD_SEQUENCES_KEYS = optionKeys<PadSequencesOptions>({ maxlen: true, dtype: true, padding: true, truncating: true, value: true });

function side(what: string, v: unknown): 'pre' | 'post' {
  if (v === undefined) return 'pre';
  if (v !== 'pre' && v !== 'post') throw new ValueError(`padSequences: ${what} must be 'pre' or 'post', got ${JSON.stringify(v)}`);
  return v;
}

/**
 * Sequences of varying length (arrays of numbers or 1-D tensors) as one [n, maxlen] tensor, padded
 * and truncated like keras.utils.pad_sequences: by default padded with 0 and truncated at the start.
 */
export function padSequences(sequences: readonly (readonly number[] | Tensor)[], opts: PadSequencesOptions = {}): Tensor {
  checkOptions('padSequences', opts, PAD_SEQUENCES_KEYS);
  if (!Array.isArray(sequences)) throw new ValueError(`padSequences: expected an array of sequences, got ${typeof sequences}`);
  const padding = side('padding', opts.padding);
  const truncating = side('truncating', opts.truncating);
  const dtype = opts.dtype ?? 'int32';
  if (!['int32', 'float32', 'float64'].includes(dtype)) throw new ValueError(`padSequences: dtype must be 'int32', 'float32' or 'float64', got ${JSON.stringify(dtype)}`);
  const value = opts.value ?? 0;
  if (typeof value !== 'number' || Number.isNaN(value)) throw new ValueError(`padSequences: value must be a number, got ${String(value)}`);
  const rows = sequences.map((s, i) => {
    if (s instanceof Tensor) {
      if (s.rank !== 1) throw new ValueError(`padSequences: sequence ${i} must be 1-D, got shape [${s.shape.join(', ')}]`);
      return Array.from(valuesOf(s));
    }
    if (!Array.isArray(s)) throw new ValueError(`padSequences: sequence ${i} must be an array of numbers or a 1-D tensor, got ${typeof s}`);
    for (const v of s) if (typeof v !== 'number') throw new ValueError(`padSequences: sequence ${i} holds ${JSON.stringify(v)}, not a number`);
    return s as readonly number[];
  });
  const maxlen = opts.maxlen ?? rows.reduce((m, r) => Math.max(m, r.length), 0);
  if (!Number.isInteger(maxlen) || maxlen < 0) throw new ValueError(`padSequences: maxlen must be a non-negative integer, got ${String(opts.maxlen)}`);
  const out = dtype === 'int32' ? new Int32Array(rows.length * maxlen) : dtype === 'float32' ? new Float32Array(rows.length * maxlen) : new Float64Array(rows.length * maxlen);
  out.fill(value);
  rows.forEach((r, i) => {
    const kept = r.length <= maxlen ? r : truncating === 'pre' ? r.slice(r.length - maxlen) : r.slice(0, maxlen);
    const start = i * maxlen + (padding === 'pre' ? maxlen - kept.length : 0);
    out.set(kept, start);
  });
  return engine.fromHost(out, [rows.length, maxlen], dtype);
}
