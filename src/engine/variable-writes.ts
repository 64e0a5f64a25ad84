// A process-wide count of writes to variables (assign, and compiled steps that update variables,
// in place or not). Compiled inference graphs cache what they compute from weights alone (folded,
// transposed weights) and recompute it when this count has moved since: any write anywhere
// invalidates, which is conservative (another model's training step recomputes this one's
// weights too) but can never leave a cache stale.
let writes = 0;

/** The current count; compare two readings to learn whether any variable was written between them. */
export function variableWriteEpoch(): number {
  return writes;
}

/** Record that some variable's value changed (or may have). */
export function noteVariableWrite(): void {
  writes++;
}
