// The layout's rule (CONTRIBUTING.md, "Layers"): a file imports (at run time) only from its own
// layer or those below it, and no files import each other in a circle except the gradient ties
// between the elementwise families (each one's gradient is written with the others' ops).
// Type-only imports are free: they vanish at run time.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(__dirname, '../../src');

// Lowest first; a file belongs to the first prefix it starts with.
const LAYERS: readonly (readonly string[])[] = [
  ['errors.ts', 'check-options.ts', 'tensor/', 'backends/backend.ts', 'ops/define-op.ts', 'ops/surface.ts'],
  ['engine/'],
  // api/ops.ts only re-exports the ops (generated from their declarations).
  ['ops/', 'api/ops.ts'],
  ['autograd/'],
  ['signal/'],
  // Linear algebra: primitives and composites over ops, above autograd's level.
  ['linalg/'],
  ['jit/'],
  // Function transforms (vmap) trace with the jit's machinery.
  ['transforms/'],
  ['backends/'],
  // nb.distribute: the process group and collectives, on the native addon's collectives.
  ['distribute/'],
  ['data/', 'datasets/'],
  ['nn/', 'optimizers/', 'losses/', 'metrics/', 'preprocessing/'],
  ['training/'],
  ['io/'],
  ['models/'],
  ['utils/'],
  ['api/', 'keras.ts', 'index.ts', 'browser.ts'],
];
// The gradient ties: the elementwise families' gradients use each other's ops.
const ALLOWED_CYCLES = [['ops/primitives/binary.ts', 'ops/primitives/compare.ts', 'ops/primitives/unary.ts']];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
}

/** Runtime imports of each file (relative to src/), type-only ones left out. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const deps: string[] = [];
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?([^'";]*?)\s*from\s*'(\.[^']+)'|^import\s+'(\.[^']+)'|import\('(\.[^']+)'\)/gm)) {
      if (m[1]) continue;
      const names = m[2]?.trim();
      if (names && /^\{[^}]*\}$/.test(names) && names.slice(1, -1).split(',').map((s) => s.trim()).filter(Boolean).every((s) => s.startsWith('type '))) continue;
      const spec = (m[3] ?? m[4] ?? m[5])!;
      deps.push(relative(SRC, resolve(dirname(file), spec.replace(/\.js$/, '.ts'))));
    }
    graph.set(relative(SRC, file), deps);
  }
  return graph;
}

const layerOf = (file: string): number => {
  const i = LAYERS.findIndex((prefixes) => prefixes.some((p) => file === p || file.startsWith(p)));
  if (i < 0) throw new Error(`${file} is in no layer: add its folder to LAYERS`);
  return i;
};

/** Strongly connected components of more than one file (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1) out.push(c.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

describe('layout', () => {
  const graph = importGraph();

  it('no runtime import runs from a lower layer to a higher one', () => {
    const upward: string[] = [];
    for (const [file, deps] of graph) {
      for (const dep of deps) if (layerOf(dep) > layerOf(file)) upward.push(`${file} -> ${dep}`);
    }
    expect(upward).toEqual([]);
  });

  it('no files import each other in a circle, but the elementwise families', () => {
    expect(cycles(graph)).toEqual(ALLOWED_CYCLES);
  });
});
