import type { Graph } from '../graph.js';

/** A stable key for attrs, or null when they hold functions (custom gradients) and cannot be compared. */
export function attrsKey(attrs: unknown): string | null {
  let ok = true;
  const s = JSON.stringify(attrs ?? null, (_k, v: unknown) => {
    if (typeof v === 'function') ok = false;
    return v;
  });
  return ok ? s : null;
}

/** Common-subexpression elimination: one node per (op, inputs, attrs); random ops are never merged. */
export function eliminateCommonSubexpressions(g: Graph): number {
  const seen = new Map<string, (typeof g.nodes)[number]>();
  let merged = 0;
  for (const n of [...g.nodes]) {
    if (n.op.name === 'random') continue;
    const a = attrsKey(n.attrs);
    if (a === null) continue;
    const key = `${n.op.name}(${n.inputs.map((v) => v.id).join(',')})${a}`;
    const prev = seen.get(key);
    if (!prev) {
      seen.set(key, n);
      continue;
    }
    n.outputs.forEach((o, i) => g.replaceUses(o, prev.outputs[i]!));
    merged++;
  }
  return merged;
}
