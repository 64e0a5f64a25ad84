/** The nabla release written into saved models (kept equal to package.json's version by a test). */
export const NABLA_VERSION = '0.1.0';

/** Version of nabla's model.json layout; a loader refuses newer versions it cannot read. */
export const MODEL_FORMAT_VERSION = 1;
