/**
 * `nb.regularizers`: weight penalties (L1, L2, L1L2), lookup and serialization.
 * @module
 */
export { Regularizer, L1, L2, L1L2, l1, l2, l1l2, getRegularizer as get, serializeRegularizer as serialize, type RegularizerIdentifier } from './regularizers.js';
