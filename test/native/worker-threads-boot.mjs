// A worker's entry for worker-threads.test.ts: loads the TypeScript work module through tsx's
// API (tsx's --import hooks do not reach a worker's entry file on Node 20).
import { tsImport } from 'tsx/esm/api';

await tsImport('./worker-threads-work.ts', import.meta.url);
