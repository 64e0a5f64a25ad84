// Part of `npm run test:browser-webgpu` only (a .spec file, outside `npm test`): the suite it runs
// beside must be on the page's own WebGPU (navigator.gpu), not on Dawn, or the run proves nothing.
import { expect, it } from 'vitest';
import * as nb from '../../src/index.js';

it('the webgpu backend runs on the browser adapter (navigator.gpu), not Dawn', async () => {
  expect(typeof process, 'a page has no Node process').toBe('undefined');
  expect((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu, 'navigator.gpu').toBeDefined();
  const info = nb.backendInfo('webgpu') as { available: boolean; source?: string; adapter?: string };
  expect(info.available).toBe(true);
  expect(info.source).toBe('browser');
  console.log(`webgpu adapter in Chromium: ${info.adapter}`);
  const y = nb.withBackend('webgpu', () => nb.tensor([1, 2, 3]).mul(nb.tensor([4, 5, 6])));
  expect(Array.from(await y.data())).toEqual([4, 10, 18]);
});
