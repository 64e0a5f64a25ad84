// Setup file of `npm run test:webgpu` (vitest.webgpu.config.ts): opens the webgpu backend before
// the conformance suite collects its tests (backendsUnderTest lists only started backends), keeps
// the previous backend current, and tells the harness which test runs so float64 cases can skip.
import { beforeEach } from 'vitest';
import * as nb from '../../src/index.js';
import { setCurrentTest } from '../conformance/harness.js';

const previous = nb.getBackend();
await nb.setBackend('webgpu');
await nb.setBackend(previous);

beforeEach((ctx) => setCurrentTest(ctx));
