import { ShapeError, ValueError, fmtShape } from '../../errors.js';

/**
 * A label names one axis: a letter, or for the axes an ellipsis stands for, `.k` where k counts
 * from the right (so ellipses of different lengths line up for broadcasting, as in numpy).
 */
export type Label = string;

export interface ParsedEquation {
  readonly inputs: Label[][];
  readonly output: Label[];
  /** Size of each label after broadcasting the ellipsis axes. */
  readonly sizes: ReadonlyMap<Label, number>;
}

const ELLIPSIS = '...';

/** Split a term like 'b...ij' into its letters and where the ellipsis sits (-1 for none). */
function scanTerm(term: string, equation: string): { letters: string[]; ellipsisAt: number } {
  const letters: string[] = [];
  let ellipsisAt = -1;
  for (let i = 0; i < term.length; ) {
    if (term.startsWith(ELLIPSIS, i)) {
      if (ellipsisAt >= 0) throw new ValueError(`einsum: more than one '...' in term '${term}' of '${equation}'`);
      ellipsisAt = letters.length;
      i += ELLIPSIS.length;
      continue;
    }
    const c = term[i]!;
    if (!/^[a-zA-Z]$/.test(c)) {
      throw new ValueError(`einsum: invalid character '${c}' in term '${term}' of '${equation}'; subscripts are letters a-z, A-Z and '...'`);
    }
    letters.push(c);
    i++;
  }
  return { letters, ellipsisAt };
}

function ellipsisLabels(n: number): Label[] {
  return Array.from({ length: n }, (_, j) => `.${n - 1 - j}`);
}

/** Labels of one operand's axes, checking the term against its rank. */
function inputLabels(term: string, shape: readonly number[], index: number, equation: string): Label[] {
  const { letters, ellipsisAt } = scanTerm(term, equation);
  const extra = shape.length - letters.length;
  if (ellipsisAt < 0 ? extra !== 0 : extra < 0) {
    throw new ShapeError(
      `einsum: term '${term}' of '${equation}' names ${letters.length} axes but operand ${index} has shape ${fmtShape(shape)} (rank ${shape.length})`,
    );
  }
  if (ellipsisAt < 0) return letters;
  return [...letters.slice(0, ellipsisAt), ...ellipsisLabels(extra), ...letters.slice(ellipsisAt)];
}

/** Sizes per label; letters must agree exactly, ellipsis axes broadcast (1 stretches). */
function labelSizes(inputs: Label[][], shapes: readonly (readonly number[])[], equation: string): Map<Label, number> {
  const sizes = new Map<Label, number>();
  inputs.forEach((labels, k) =>
    labels.forEach((l, i) => {
      const d = shapes[k]![i]!;
      const have = sizes.get(l);
      if (have === undefined || have === d) return void sizes.set(l, d);
      const broadcastable = l.startsWith('.') && (have === 1 || d === 1);
      if (!broadcastable) {
        const what = l.startsWith('.') ? 'axes under ...' : `'${l}'`;
        throw new ShapeError(
          `einsum: ${what} of '${equation}' has size ${have} in one place and ${d} in another (operand shapes ${shapes.map(fmtShape).join(', ')})`,
        );
      }
      sizes.set(l, Math.max(have, d));
    }),
  );
  return sizes;
}

/** Parse and check an equation like 'bij,bjk->bik' against the operands' shapes. */
export function parseEquation(equation: string, shapes: readonly (readonly number[])[]): ParsedEquation {
  if (typeof equation !== 'string') throw new ValueError(`einsum: the equation must be a string, got ${typeof equation}`);
  const eq = equation.replace(/\s+/g, '');
  const sides = eq.split('->');
  if (sides.length > 2) throw new ValueError(`einsum: more than one '->' in '${equation}'`);
  const terms = sides[0]!.split(',');
  if (terms.length !== shapes.length) {
    throw new ValueError(`einsum: '${equation}' has ${terms.length} input term(s) but ${shapes.length} operand(s) were given`);
  }
  const inputs = terms.map((t, k) => inputLabels(t, shapes[k]!, k, equation));
  const sizes = labelSizes(inputs, shapes, equation);
  const maxEllipsis = Math.max(0, ...inputs.map((ls) => ls.filter((l) => l.startsWith('.')).length));
  let output: Label[];
  if (sides.length === 2) {
    const { letters, ellipsisAt } = scanTerm(sides[1]!, equation);
    output = ellipsisAt < 0 ? letters : [...letters.slice(0, ellipsisAt), ...ellipsisLabels(maxEllipsis), ...letters.slice(ellipsisAt)];
    for (const l of letters) {
      if (!sizes.has(l)) throw new ValueError(`einsum: output subscript '${l}' of '${equation}' does not appear in any input`);
    }
    const dup = letters.find((l, i) => letters.indexOf(l) !== i);
    if (dup) throw new ValueError(`einsum: output subscript '${dup}' appears more than once in '${equation}'`);
  } else {
    // Implicit output (numpy): the broadcast axes, then the letters used exactly once, sorted.
    const counts = new Map<string, number>();
    for (const l of inputs.flat()) if (!l.startsWith('.')) counts.set(l, (counts.get(l) ?? 0) + 1);
    const once = [...counts].filter(([, n]) => n === 1).map(([l]) => l).sort();
    output = [...ellipsisLabels(maxEllipsis), ...once];
  }
  return { inputs, output, sizes };
}
