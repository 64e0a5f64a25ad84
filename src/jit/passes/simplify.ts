import type { Tensor } from '../../tensor/tensor.js';
import { shapesEqual } from '../../tensor/shape.js';
import type { Graph, Node, Value } from '../graph.js';

/** The single value of a constant whose elements are all equal, or undefined. */
export function uniformConst(v: Value): number | undefined {
  if (v.source.kind !== 'const') return undefined;
  const t: Tensor = v.source.tensor;
  if (t.size > 4096 || t.size === 0) return undefined;
  // Constants on a device that reads only asynchronously (webgpu) are left alone.
  if (!t.storage.backend.readSync) return undefined;
  const d = t.dataSync();
  const x = d[0]!;
  for (let i = 1; i < d.length; i++) if (d[i] !== x) return undefined;
  return x;
}

/** `keep` can stand for `n`'s output if shapes and dtypes agree. */
function passes(n: Node, keep: Value): boolean {
  const out = n.outputs[0]!;
  return shapesEqual(out.shape, keep.shape) && out.dtype === keep.dtype;
}

function producer(v: Value): Node | undefined {
  return v.source.kind === 'node' ? v.source.node : undefined;
}

/** Identity elements, view chains and no-op views. Returns the replacement for `n`'s output, if any. */
function rewrite(n: Node): Value | undefined {
  const [a, b] = n.inputs;
  switch (n.op.name) {
    case 'mul':
      if (uniformConst(b!) === 1 && passes(n, a!)) return a;
      if (uniformConst(a!) === 1 && passes(n, b!)) return b;
      return undefined;
    case 'add':
      if (uniformConst(b!) === 0 && passes(n, a!)) return a;
      if (uniformConst(a!) === 0 && passes(n, b!)) return b;
      return undefined;
    case 'sub':
      return uniformConst(b!) === 0 && passes(n, a!) ? a : undefined;
    case 'div':
      return uniformConst(b!) === 1 && passes(n, a!) ? a : undefined;
    case 'neg': {
      const p = producer(a!);
      return p?.op.name === 'neg' ? p.inputs[0] : undefined;
    }
    case 'stopGradient':
    case 'customGradient':
    case 'copy':
      return passes(n, a!) ? a : undefined;
    case 'reshape': {
      if (shapesEqual(a!.shape, n.outputs[0]!.shape)) return a;
      const p = producer(a!);
      if (p?.op.name === 'reshape') n.inputs = [p.inputs[0]!];
      return undefined;
    }
    case 'transpose': {
      const p = producer(a!);
      if (p?.op.name !== 'transpose') return undefined;
      const inner = (p.attrs as { perm: number[] }).perm;
      const outer = (n.attrs as { perm: number[] }).perm;
      const perm = outer.map((i) => inner[i]!);
      if (perm.every((x, i) => x === i)) return p.inputs[0];
      n.inputs = [p.inputs[0]!];
      n.attrs = { perm };
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Algebraic simplification: x*1, x+0, x-0, x/1, -(-x), transpose∘transpose, reshape chains. */
export function simplify(g: Graph): number {
  let changed = 0;
  for (const n of g.nodes) {
    const r = rewrite(n);
    if (r) {
      g.replaceUses(n.outputs[0]!, r);
      changed++;
    }
  }
  return changed;
}
