// The `training` flag of the outermost call, seen by nested layers that were called without one
// (a subclassed model calling `this.dropout.apply(x)` inside `call`), as in Keras's call context.
let current: boolean | undefined;

export function currentTraining(): boolean | undefined {
  return current;
}

export function withTraining<T>(training: boolean | undefined, fn: () => T): T {
  const saved = current;
  current = training;
  try {
    return fn();
  } finally {
    current = saved;
  }
}
