// The collectives the native addon exports when it was built with gloo (native/src/collectives/).
import { NablaError } from '../errors.js';
import { loadAddon } from '../backends/native/load-addon.js';

/** In-place, blocking collectives on float buffers; each throws with gloo's message on failure. */
export interface CollectivesAddon {
  readonly library: string;
  init(rank: number, worldSize: number, masterAddr: string, masterPort: number, timeoutMs: number, iface: string): void;
  allReduce(buffer: Float32Array | Float64Array): void;
  broadcast(buffer: Float32Array | Float64Array, root: number): void;
  allGather(input: Float32Array | Float64Array, output: Float32Array | Float64Array): void;
  barrier(): void;
  shutdown(): void;
}

const INSTALL_HINT =
  'nb.distribute needs the native addon built with gloo (the collective library): install it (Debian/Ubuntu: `apt-get install libgloo-dev`) and rebuild the addon (`npm rebuild nabla`, or `npm run build:native` in a checkout)';

/** The addon's collectives, or a NablaError saying what to install. */
export function collectivesAddon(): CollectivesAddon {
  let addon: { collectives?: CollectivesAddon };
  try {
    addon = loadAddon() as unknown as { collectives?: CollectivesAddon };
  } catch (e) {
    throw new NablaError(`${INSTALL_HINT}; the native addon itself is unavailable (${(e as Error).message})`);
  }
  if (!addon.collectives) throw new NablaError(`${INSTALL_HINT}; this addon was built without it (nb.backendInfo('native').collectives is 'none')`);
  return addon.collectives;
}
