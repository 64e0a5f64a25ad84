// nb.distribute: data-parallel training over a collective library (gloo), one process per rank.
export { init, shutdown, isInitialized, rank, worldSize, type InitOptions } from './process-group.js';
export { allReduce, broadcast, allGather, barrier, type AllReduceOptions } from './collectives.js';
