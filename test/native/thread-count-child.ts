// Run by thread-count-bits.test.ts with NABLA_SIMD set: prints the SIMD level the addon took and
// the cases whose bits vary with the thread count there.
import * as nb from '../../src/index.js';
import { casesWhoseBitsVary } from './thread-count-cases.js';

console.log(JSON.stringify({ simd: (nb.backendInfo('native') as { simd?: string }).simd, varying: casesWhoseBitsVary('native') }));
