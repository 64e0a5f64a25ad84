import { engine } from '../../engine/engine.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { Graph, Node, Value } from '../graph.js';

const MAX_FOLDED_ELEMENTS = 1 << 20;

/** Evaluate nodes whose inputs are all constants, now, once (random ops excepted). */
export function foldConstants(g: Graph): number {
  return foldNodes(g, (v) => v.source.kind === 'const', MAX_FOLDED_ELEMENTS);
}

/**
 * Evaluate nodes whose inputs are constants or variables the graph never assigns, of any size:
 * the weights as they are now, for a graph written out once (ONNX export), never for a compiled
 * function that must follow the variables.
 */
export function foldWeights(g: Graph): number {
  return foldNodes(g, (v) => v.source.kind === 'const' || (v.source.kind === 'variable' && !g.updates.has(v.source.variable)), Infinity);
}

function foldNodes(g: Graph, fixed: (v: Value) => boolean, maxElements: number): number {
  let folded = 0;
  for (const n of [...g.nodes]) {
    if (n.op.name === 'random' || !n.inputs.every(fixed)) continue;
    if (n.outputs.some((o) => o.shape.reduce((a, b) => a * b, 1) > maxElements)) continue;
    const outs = evaluate(n);
    const origin = n.inputs.map(originOf).find((name) => name !== undefined);
    n.outputs.forEach((o, i) => {
      const c = g.newValue(o, { kind: 'const', tensor: outs[i]!, ...(origin === undefined ? {} : { origin }) });
      g.replaceUses(o, c);
    });
    folded++;
  }
  return folded;
}

/** The variable a value is, or a folded constant was computed from. */
function originOf(v: Value): string | undefined {
  return v.source.kind === 'variable' ? v.source.variable.name : v.source.kind === 'const' ? v.source.origin : undefined;
}

function evaluate(n: Node): Tensor[] {
  const inputs = n.inputs.map((v: Value) => (v.source.kind === 'variable' ? v.source.variable : (v.source as { tensor: Tensor }).tensor));
  const prev = engine.tracer;
  engine.tracer = null;
  try {
    // The graph holds on to them: a tidy() around the first (tracing) call must not dispose them.
    return engine.pauseRecording(() => engine.runOp(n.op, inputs, n.attrs)).map((t) => engine.keep(t));
  } finally {
    engine.tracer = prev;
  }
}
