// ONNX LSTM and GRU (forward, reverse, bidirectional; default activations; LSTM peepholes;
// sequence_lens), unrolled over the time steps with nabla ops, so they differentiate and jit like
// the rest of the graph. With sequence_lens, a step past an example's length keeps its state and
// outputs zeros (a reverse pass thus starts at the example's last step), as onnxruntime does.
import { ShapeError, fmtShape } from '../../../errors.js';
import { add, mul, sub } from '../../../ops/primitives/binary.js';
import { matmul } from '../../../ops/primitives/matmul.js';
import { reshape, slice, squeeze, transpose } from '../../../ops/primitives/shape.js';
import { split, stack } from '../../../ops/primitives/structure.js';
import { sigmoid, tanh } from '../../../ops/primitives/unary.js';
import { zeros } from '../../../ops/creation.js';
import { cast } from '../../../ops/primitives/cast.js';
import { less } from '../../../ops/primitives/compare.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { NodeAttributes, NodeContext } from '../node-context.js';
import type { OnnxOp, OpTable } from '../op-table.js';

interface Cell {
  /**
   * One step: input projection xw [batch, G*H] (X·Wᵀ + Wb), previous state, recurrent weight R
   * [G*H, H], bias Rb and (LSTM) peephole weights [3*H] (input, output, forget).
   */
  step(xw: Tensor, state: Tensor[], r: Tensor, rb: Tensor, peephole?: Tensor): Tensor[];
  gates: number;
  /** How many state tensors (h, and c for LSTM) and which graph inputs initialise them. */
  stateInputs: number[];
}

const LSTM_CELL: Cell = {
  gates: 4,
  stateInputs: [5, 6],
  step(xw, [h, c], r, rb, peephole) {
    let [i, o, f, g] = split(add(add(xw, matmul(h!, r, { transposeB: true })), rb), 4, 1) as [Tensor, Tensor, Tensor, Tensor];
    const [pi, po, pf] = peephole ? (split(peephole, 3, 0) as [Tensor, Tensor, Tensor]) : [];
    if (pi && pf) [i, f] = [add(i, mul(pi, c!)), add(f, mul(pf, c!))];
    const cNext = add(mul(sigmoid(f), c!), mul(sigmoid(i), tanh(g)));
    if (po) o = add(o, mul(po, cNext));
    return [mul(sigmoid(o), tanh(cNext)), cNext];
  },
};

function gruCell(linearBeforeReset: boolean): Cell {
  return {
    gates: 3,
    stateInputs: [5],
    step(xw, [h], r, rb) {
      const [xz, xr, xh] = split(xw, 3, 1) as [Tensor, Tensor, Tensor];
      const [rz, rr, rh] = split(r, 3, 0) as [Tensor, Tensor, Tensor];
      const [bz, br, bh] = split(rb, 3, 0) as [Tensor, Tensor, Tensor];
      const z = sigmoid(add(add(xz, matmul(h!, rz, { transposeB: true })), bz));
      const rGate = sigmoid(add(add(xr, matmul(h!, rr, { transposeB: true })), br));
      const candidate = linearBeforeReset
        ? tanh(add(xh, mul(rGate, add(matmul(h!, rh, { transposeB: true }), bh))))
        : tanh(add(add(xh, matmul(mul(rGate, h!), rh, { transposeB: true })), bh));
      return [add(mul(sub(1, z), candidate), mul(z, h!))];
    },
  };
}

const DEFAULT_ACTIVATIONS: Record<string, string[]> = { LSTM: ['Sigmoid', 'Tanh', 'Tanh'], GRU: ['Sigmoid', 'Tanh'] };

function checkRnn(attrs: NodeAttributes): void {
  if (attrs.has('clip')) attrs.unsupported('clip');
  if (attrs.int('input_forget', 0) !== 0) attrs.unsupported('input_forget=1');
  const acts = attrs.strings('activations');
  const dflt = DEFAULT_ACTIVATIONS[attrs.opType]!;
  if (acts && acts.length && acts.some((a, i) => a !== dflt[i % dflt.length])) attrs.unsupported(`activations ${JSON.stringify(acts)}`);
  const dir = attrs.string('direction', 'forward');
  if (!['forward', 'reverse', 'bidirectional'].includes(dir)) attrs.unsupported(`direction '${dir}'`);
}

function runRnn(ctx: NodeContext, cell: Cell): Tensor[] {
  const batchFirst = ctx.attrs.int('layout', 0) === 1;
  const x = batchFirst ? transpose(ctx.input(0), [1, 0, 2]) : ctx.input(0);
  const w = ctx.input(1);
  const r = ctx.input(2);
  const hidden = r.shape[2]!;
  const dirs = ctx.attrs.string('direction', 'forward') === 'bidirectional' ? 2 : 1;
  const reverse = ctx.attrs.string('direction', 'forward') === 'reverse';
  const [seq, batch] = x.shape as [number, number];
  const gh = cell.gates * hidden;
  if (x.rank !== 3 || w.shape[0] !== dirs || w.shape[1] !== gh || r.shape[1] !== gh) {
    throw new ShapeError(`onnx: ${ctx.where}: X ${fmtShape(x.shape)}, W ${fmtShape(w.shape)}, R ${fmtShape(r.shape)} do not fit ${dirs} direction(s) of ${cell.gates} gates`);
  }
  const b = ctx.optional(3) ?? zeros([dirs, 2 * gh], x.dtype);
  const peepholes = ctx.optional(7);
  if (peepholes && (peepholes.rank !== 2 || peepholes.shape[0] !== dirs || peepholes.shape[1] !== 3 * hidden)) {
    throw new ShapeError(`onnx: ${ctx.where}: peephole weights P ${fmtShape(peepholes.shape)} should be [${dirs}, ${3 * hidden}]`);
  }
  const lens = ctx.optional(4);
  if (lens && (lens.rank !== 1 || lens.shape[0] !== batch)) throw new ShapeError(`onnx: ${ctx.where}: sequence_lens ${fmtShape(lens.shape)} should be [${batch}]`);
  // Per step, 1 for the examples still inside their sequence ([batch, 1]).
  const live = lens && Array.from({ length: seq }, (_, t) => reshape(cast(less(t, lens), x.dtype), [batch, 1]));
  const ys: Tensor[] = [];
  const finals: Tensor[][] = cell.stateInputs.map(() => []);
  for (let d = 0; d < dirs; d++) {
    const pick = (t: Tensor) => squeeze(slice(t, [d, 0, 0].slice(0, t.rank), [1, ...t.shape.slice(1)]), 0);
    const [wb, rb] = split(pick(b), 2, 0) as [Tensor, Tensor];
    // All time steps' input projections in one matmul: [seq, batch, G*H].
    const xw = add(reshape(matmul(reshape(x, [seq * batch, -1]), pick(w), { transposeB: true }), [seq, batch, gh]), wb);
    let state = cell.stateInputs.map((i) => (ctx.has(i) ? pick(ctx.input(i)) : zeros([batch, hidden], x.dtype)));
    const outs = new Array<Tensor>(seq);
    const backwards = reverse || d === 1;
    const p = peepholes && squeeze(slice(peepholes, [d, 0], [1, 3 * hidden]), 0);
    for (let k = 0; k < seq; k++) {
      const t = backwards ? seq - 1 - k : k;
      const next = cell.step(squeeze(slice(xw, [t, 0, 0], [1, batch, gh]), 0), state, pick(r), rb, p);
      if (live) {
        const m = live[t]!;
        state = next.map((s, i) => add(mul(m, s), mul(sub(1, m), state[i]!)));
        outs[t] = mul(m, next[0]!);
      } else {
        state = next;
        outs[t] = state[0]!;
      }
    }
    ys.push(seq ? stack(outs, 0) : zeros([0, batch, hidden], x.dtype));
    state.forEach((s, i) => finals[i]!.push(s));
  }
  const y = stack(ys, 1); // [seq, dirs, batch, H]
  const lastStates = finals.map((f) => stack(f, 0)); // [dirs, batch, H]
  if (!batchFirst) return [y, ...lastStates];
  return [transpose(y, [2, 0, 1, 3]), ...lastStates.map((s) => transpose(s, [1, 0, 2]))];
}

const rnnOp = (cellOf: (ctx: NodeContext) => Cell): OnnxOp => ({ run: (ctx) => runRnn(ctx, cellOf(ctx)), check: checkRnn });

export const rnnOps: OpTable = {
  LSTM: rnnOp(() => LSTM_CELL),
  GRU: rnnOp((ctx) => gruCell(ctx.attrs.int('linear_before_reset', 0) === 1)),
};
