// Counts of writes to variables (assign, and compiled steps that update variables, in place or
// not): one per variable and one for the whole process. Compiled inference graphs cache what they
// compute from weights alone (folded, transposed, prepacked weights) and recompute it when one of
// the variables it read has been written since: a write to another model's variables (its
// optimizer step) leaves the cache alone, and no write to its own can leave it stale.
let writes = 0;
const versions = new WeakMap<object, number>();

/** The process-wide count: while it has not moved, no variable has been written. */
export function variableWriteEpoch(): number {
  return writes;
}

/** How many times `variable` has been written (0 if never). */
export function variableVersion(variable: object): number {
  return versions.get(variable) ?? 0;
}

/** Record that `variable`'s value changed (or may have). */
export function noteVariableWrite(variable: object): void {
  writes++;
  versions.set(variable, (versions.get(variable) ?? 0) + 1);
}
