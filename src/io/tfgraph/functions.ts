// TF2 functional control flow in graph models: the FunctionDefs of modelTopology.library.function
// (If/While bodies), each compiled at load into a TfGraph whose Placeholders are the function's
// arguments, and the If/StatelessIf and While/StatelessWhile ops that call them through nb.cond
// and nb.whileLoop (so a model with control flow runs eagerly and under nb.jit).
import { ValueError } from '../../errors.js';
import { cond, whileLoop } from '../../jit/control-flow.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { TfNodeAttrs, TfNodeJson } from './graph-def.js';
import type { TfOp } from './op-table.js';
import type { TfGraph } from './tf-graph.js';

interface ArgDef {
  name: string;
  type?: string;
}

export interface TfFunctionDef {
  signature: { name: string; inputArg?: ArgDef[]; outputArg?: ArgDef[] };
  nodeDef?: TfNodeJson[];
  ret?: Record<string, string>;
}

/** A function body's reference 'node:outputName:index' as the graph's 'node:index' (arguments stay as they are). */
function plainRef(ref: string): string {
  if (ref.startsWith('^')) return ref;
  const parts = ref.split(':');
  return parts.length === 3 ? `${parts[0]}:${parts[2]}` : ref;
}

type MakeGraph = (nodes: TfNodeJson[], outputs: string[], source: string, functions: TfFunctions) => TfGraph;

/** The library's functions by name, each compiled once, when a node first calls it. */
export class TfFunctions {
  private readonly defs = new Map<string, TfFunctionDef>();
  private readonly compiled = new Map<string, TfGraph>();
  private readonly compiling = new Set<string>();

  constructor(
    defs: readonly unknown[],
    private readonly makeGraph: MakeGraph,
    private readonly source: string,
  ) {
    for (const [i, d] of defs.entries()) {
      const f = d as Partial<TfFunctionDef>;
      if (!f || typeof f.signature?.name !== 'string') throw new ValueError(`loadGraphModel: ${source}: library function ${i} has no signature.name`);
      this.defs.set(f.signature.name, f as TfFunctionDef);
    }
  }

  /** The function's graph and its argument names; `where` names the calling node. */
  get(name: string, where: string): { graph: TfGraph; args: string[] } {
    const def = this.defs.get(name);
    if (!def) throw new ValueError(`loadGraphModel: ${where} calls function '${name}', which the model's library does not define (it has ${[...this.defs.keys()].join(', ') || 'none'})`);
    const args = (def.signature.inputArg ?? []).map((a) => a.name);
    let graph = this.compiled.get(name);
    if (!graph) {
      if (this.compiling.has(name)) throw new ValueError(`loadGraphModel: function '${name}' calls itself (recursion is not supported)`);
      this.compiling.add(name);
      const placeholders: TfNodeJson[] = (def.signature.inputArg ?? []).map((a) => ({ name: a.name, op: 'Placeholder', attr: { dtype: { type: a.type ?? 'DT_FLOAT' } } }));
      const body = (def.nodeDef ?? []).map((n) => ({ ...n, input: (n.input ?? []).map(plainRef) }));
      const outputs = (def.signature.outputArg ?? []).map((o) => {
        const ref = def.ret?.[o.name];
        if (typeof ref !== 'string') throw new ValueError(`loadGraphModel: function '${name}' has no ret entry for its output '${o.name}'`);
        return plainRef(ref);
      });
      graph = this.makeGraph([...placeholders, ...body], outputs, `function '${name}' of ${this.source}`, this);
      this.compiling.delete(name);
      this.compiled.set(name, graph);
    }
    return { graph, args };
  }

  /** Number of outputs of function `name`. */
  outputCount(name: string): number {
    return this.defs.get(name)?.signature.outputArg?.length ?? 0;
  }
}

/** The function an attribute names ({ func: { name } }). */
function funcAttr(attrs: TfNodeAttrs, key: string): string {
  const v = attrs.node.attr?.[key] as { func?: { name?: unknown } } | undefined;
  const name = v?.func?.name;
  if (typeof name !== 'string') attrs.unsupported(`a missing or malformed '${key}' function attribute`);
  return name;
}

function call(fn: { graph: TfGraph; args: string[] }, xs: readonly Tensor[], where: string): Tensor[] {
  if (xs.length !== fn.args.length) throw new ValueError(`loadGraphModel: ${where} passes ${xs.length} arguments to a function of ${fn.args.length}`);
  return fn.graph.run(new Map(fn.args.map((a, i) => [a, xs[i]!])));
}

/** If / StatelessIf: input 0 the predicate, the rest the branch functions' arguments. */
function ifOp(functions: TfFunctions, attrs: TfNodeAttrs): TfOp {
  const thenFn = functions.get(funcAttr(attrs, 'then_branch'), attrs.where);
  const elseFn = functions.get(funcAttr(attrs, 'else_branch'), attrs.where);
  return {
    outputs: functions.outputCount(funcAttr(attrs, 'then_branch')),
    run: (ctx) => {
      const args = Array.from({ length: ctx.inputCount - 1 }, (_, i) => ctx.input(i + 1));
      return cond(
        ctx.input(0),
        () => call(thenFn, args, ctx.where),
        () => call(elseFn, args, ctx.where),
      );
    },
  };
}

/** While / StatelessWhile: the inputs are the loop variables; `cond` gives the predicate, `body` the next variables. */
function whileOp(functions: TfFunctions, attrs: TfNodeAttrs): TfOp {
  const condFn = functions.get(funcAttr(attrs, 'cond'), attrs.where);
  const bodyFn = functions.get(funcAttr(attrs, 'body'), attrs.where);
  return {
    outputs: (attrs.node.input ?? []).filter((i) => !i.startsWith('^')).length,
    run: (ctx) => {
      const vars = Array.from({ length: ctx.inputCount }, (_, i) => ctx.input(i));
      return whileLoop(
        (...xs: Tensor[]) => call(condFn, xs, ctx.where)[0]!,
        (...xs: Tensor[]) => call(bodyFn, xs, ctx.where),
        vars,
      );
    },
  };
}

/** The control-flow op for `attrs`' node, or undefined when it is no control-flow op. */
export function controlFlowOp(functions: TfFunctions | null, attrs: TfNodeAttrs, source: string): TfOp | undefined {
  const op = attrs.op;
  const isIf = op === 'If' || op === 'StatelessIf';
  const isWhile = op === 'While' || op === 'StatelessWhile';
  if (!isIf && !isWhile) return undefined;
  if (!functions) throw new ValueError(`loadGraphModel: ${attrs.where} needs the model's library functions, and ${source} has none`);
  return isIf ? ifOp(functions, attrs) : whileOp(functions, attrs);
}
