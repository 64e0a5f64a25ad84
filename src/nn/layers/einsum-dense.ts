// EinsumDense (keras.layers.EinsumDense): a dense layer written as an einsum of the input and a
// kernel, e.g. 'abc,cd->abd' (Dense on the last axis) or 'abc,cde->abde' (per-head projections).
// The kernel's shape comes from the equation: each kernel letter takes its size from the input, or
// else from `outputShape`. An ellipsis stands for passed-through axes, on the left ('...b,bc->...c')
// or on the right ('ab...,bc->ac...').
import { ValueError } from '../../errors.js';
import { add } from '../../ops/primitives/binary.js';
import { einsum } from '../../ops/composite/einsum.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { Variable } from '../../autograd/variable.js';
import { getActivation, serializeActivation, type ActivationFn, type ActivationIdentifier } from '../activations.js';
import { getInitializer, serializeInitializer, type Initializer, type InitializerIdentifier } from '../initializers.js';
import type { Regularizer, RegularizerIdentifier } from '../regularizers.js';
import { optionalRegularizer, serializeOptional } from './core.js';
import { mergePositional, optionKeys } from '../../check-options.js';
import { LAYER_KEYS, Layer, type InputShapes, type LayerArgs, type Shape } from './layer.js';

export interface EinsumDenseArgs extends LayerArgs {
  /** 'input,kernel->output' with one letter per axis (the batch axis included), and optionally '...'. */
  equation?: string;
  /** The output's shape without the batch axis and the ellipsis axes (a number for one axis; null: the input's size). */
  outputShape?: number | (number | null)[];
  /** Output letters the bias spans (default: no bias). */
  biasAxes?: string | null;
  activation?: ActivationIdentifier;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
}

const EINSUM_DENSE_KEYS = optionKeys<EinsumDenseArgs>({
  ...LAYER_KEYS, equation: true, outputShape: true, biasAxes: true, activation: true, kernelInitializer: true, biasInitializer: true,
  kernelRegularizer: true, biasRegularizer: true,
});

/** The kernel's, the bias's and the full output's shapes an equation implies for an input shape. */
export interface EinsumDensePlan {
  kernelShape: number[];
  biasShape: number[] | null;
  outputShape: Shape;
}

const FORMS: [RegExp, 'none' | 'left' | 'right'][] = [
  [/^([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$/, 'none'],
  [/^\.\.\.([a-zA-Z]+),([a-zA-Z]+)->\.\.\.([a-zA-Z]+)$/, 'left'],
  [/^([a-zA-Z]{2,})\.\.\.,([a-zA-Z]+)->([a-zA-Z]+)\.\.\.$/, 'right'],
];

interface ParsedEquation {
  inSpec: string;
  wSpec: string;
  outSpec: string;
  /** Where the ellipsis (the passed-through axes) sits. */
  side: 'none' | 'left' | 'right';
}

function parseEquation(equation: string, biasAxes: string | null, where: string): ParsedEquation {
  const eq = equation.replace(/\s+/g, '');
  for (const [re, side] of FORMS) {
    const m = re.exec(eq);
    if (!m) continue;
    const [, inSpec, wSpec, outSpec] = m as unknown as [string, string, string, string];
    for (const letter of biasAxes ?? '') if (!outSpec.includes(letter)) throw new ValueError(`${where}: bias axis '${letter}' is not an output axis of '${equation}'`);
    return { inSpec, wSpec, outSpec, side };
  }
  throw new ValueError(`${where}: equation '${equation}' must look like 'ab,bc->ac', '...b,bc->...c' or 'ab...,bc->ac...'`);
}

/** A shape with unknown sizes as '?'. */
const fmt = (s: Shape) => s.map((d) => d ?? '?').join(', ');

export function planEinsumDense(equation: string, outputShape: number | (number | null)[], biasAxes: string | null, input: Shape, where = 'EinsumDense'): EinsumDensePlan {
  const { inSpec, wSpec, outSpec, side } = parseEquation(equation, biasAxes, where);
  const elided = input.length - inSpec.length;
  if (elided < 0 || (side === 'none' && elided !== 0)) {
    throw new ValueError(`${where}: equation '${equation}' names ${inSpec.length} input axes, but the input has shape [${fmt(input)}]`);
  }
  // The full output: batch, the given dims, and the passed-through axes on their side.
  const given = typeof outputShape === 'number' ? [outputShape] : [...outputShape];
  const out: Shape = [input[0] ?? null, ...given];
  if (side === 'left') out.splice(1, 0, ...input.slice(1, elided));
  if (side === 'right') out.push(...input.slice(input.length - elided));
  const inAxis = (letter: string) => (side === 'left' ? inSpec.indexOf(letter) + elided : inSpec.indexOf(letter));
  const outAxis = (letter: string) => (side === 'left' ? outSpec.indexOf(letter) + (out.length - outSpec.length) : outSpec.indexOf(letter));
  if (out.length !== outSpec.length + (side === 'none' ? 0 : elided)) {
    throw new ValueError(`${where}: outputShape ${JSON.stringify(outputShape)} gives ${out.length - 1} non-batch output axes, but '${outSpec}' names ${outSpec.length - 1}`);
  }
  for (const letter of outSpec) {
    const o = outAxis(letter);
    if (inSpec.includes(letter)) {
      const d = input[inAxis(letter)] ?? null;
      if (out[o] === null) out[o] = d;
      else if (o > 0 && d !== null && out[o] !== d) {
        throw new ValueError(`${where}: axis '${letter}' has size ${d} in the input [${fmt(input)}] but ${out[o]} in outputShape ${JSON.stringify(outputShape)}`);
      }
    } else if (!wSpec.includes(letter)) {
      throw new ValueError(`${where}: output axis '${letter}' of '${equation}' is in neither the input nor the kernel`);
    }
  }
  const kernelShape = [...wSpec].map((letter) => {
    const d = inSpec.includes(letter) ? input[inAxis(letter)] : outSpec.includes(letter) ? out[outAxis(letter)] : undefined;
    if (d === undefined) throw new ValueError(`${where}: kernel axis '${letter}' of '${equation}' is in neither the input nor the output`);
    if (d === null) throw new ValueError(`${where}: kernel axis '${letter}' of '${equation}' needs a known size; the input is [${fmt(input)}]`);
    return d;
  });
  let biasShape: number[] | null = null;
  if (biasAxes) {
    // The bias spans the output from its first bias axis on (size 1 on the others), so it broadcasts.
    const first = Math.min(...[...biasAxes].map((l) => outSpec.indexOf(l)));
    biasShape = [...outSpec.slice(first)].map((l) => {
      if (!biasAxes.includes(l)) return 1;
      const d = out[outAxis(l)];
      if (d === null || d === undefined) throw new ValueError(`${where}: bias axis '${l}' needs a known size`);
      return d;
    });
    if (side === 'right') biasShape.push(...Array<number>(elided).fill(1));
  }
  return { kernelShape, biasShape, outputShape: out };
}

/** `activation(einsum(equation, x, kernel) + bias)`. */
export class EinsumDense extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = EINSUM_DENSE_KEYS;
  readonly equation: string;
  readonly outputShape: number | (number | null)[];
  readonly biasAxes: string | null;
  readonly activation: ActivationFn;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  kernel!: Variable;
  bias: Variable | null = null;

  constructor(equation: string | EinsumDenseArgs, outputShape?: number | (number | null)[] | EinsumDenseArgs, args?: EinsumDenseArgs) {
    const a = mergePositional<EinsumDenseArgs>('EinsumDense', EINSUM_DENSE_KEYS, ['equation', 'outputShape'], [equation, outputShape, args]);
    super(a);
    if (typeof a.equation !== 'string') throw new ValueError(`EinsumDense: equation must be a string like 'ab,bc->ac', got ${String(a.equation)}`);
    const shape = a.outputShape;
    const okDim = (d: unknown) => d === null || (typeof d === 'number' && Number.isInteger(d) && d > 0);
    if (!(okDim(shape) && shape !== null) && !(Array.isArray(shape) && shape.every(okDim))) {
      throw new ValueError(`EinsumDense: outputShape must be a positive integer or a list of them (null: the input's size), got ${JSON.stringify(shape)}`);
    }
    this.equation = a.equation;
    this.outputShape = Array.isArray(shape) ? [...shape] : shape!;
    this.biasAxes = a.biasAxes ?? null;
    this.activation = getActivation(a.activation, 'EinsumDense');
    this.kernelInitializer = getInitializer(a.kernelInitializer ?? 'glorotUniform');
    this.biasInitializer = getInitializer(a.biasInitializer ?? 'zeros');
    this.kernelRegularizer = optionalRegularizer(a.kernelRegularizer);
    this.biasRegularizer = optionalRegularizer(a.biasRegularizer);
    // Checked now, so a bad equation fails at construction.
    parseEquation(this.equation, this.biasAxes, 'EinsumDense');
  }

  private plan(s: Shape): EinsumDensePlan {
    return planEinsumDense(this.equation, this.outputShape, this.biasAxes, s, `EinsumDense '${this.name}'`);
  }

  override build(inputShape: InputShapes): void {
    const s = inputShape as Shape;
    const { kernelShape, biasShape } = this.plan(s);
    this.kernel = this.addWeight('kernel', kernelShape, this.kernelInitializer, { regularizer: this.kernelRegularizer });
    if (biasShape) this.bias = this.addWeight('bias', biasShape, this.biasInitializer, { regularizer: this.biasRegularizer });
  }

  override call(x: Tensor): Tensor {
    let y = einsum(this.equation, x, this.kernel);
    if (this.bias) y = add(y, this.bias);
    return this.activation(y);
  }

  override computeOutputShape(inputShape: InputShapes): Shape {
    return this.plan(inputShape as Shape).outputShape;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      equation: this.equation,
      outputShape: this.outputShape,
      biasAxes: this.biasAxes,
      activation: serializeActivation(this.activation),
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
      kernelRegularizer: serializeOptional(this.kernelRegularizer),
      biasRegularizer: serializeOptional(this.biasRegularizer),
    };
  }
}
