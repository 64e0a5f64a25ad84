/** Base class of every error nabla raises on bad input. */
export class NablaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Shapes that do not fit the op: mismatched ranks, non-broadcastable dims, bad axes. */
export class ShapeError extends NablaError {}

/** A dtype the op does not accept, or two dtypes that cannot be combined. */
export class DTypeError extends NablaError {}

/** A value out of range, a wrong option, a disposed tensor, a misuse of the API. */
export class ValueError extends NablaError {}

/** Shape as a string, `[2, 3]`, for error messages. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
