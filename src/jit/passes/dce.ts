import type { Graph, Node } from '../graph.js';

/** Dead-code elimination: keep only nodes that outputs or variable updates depend on. */
export function eliminateDeadCode(g: Graph): number {
  const live = new Set<Node>();
  const stack = g.roots();
  while (stack.length) {
    const v = stack.pop()!;
    if (v.source.kind !== 'node' || live.has(v.source.node)) continue;
    live.add(v.source.node);
    stack.push(...v.source.node.inputs);
  }
  const before = g.nodes.length;
  g.nodes = g.nodes.filter((n) => live.has(n));
  return before - g.nodes.length;
}
