// `npm run demo:web`: build the browser demo (scripts/build-web-demo.mjs) and serve it with Vite's
// static preview server, cross-origin isolated (COOP/COEP, so a page may use SharedArrayBuffer and
// wasm threads). Prints the URL. Options: --port N (default 5173), --host H (default 127.0.0.1;
// 0.0.0.0 to open it from another machine), --no-build.
import { parseArgs } from 'node:util';
import { preview } from 'vite';
import { buildWebDemo, WEB_DIR } from './build-web-demo.mjs';

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** Serve the built demo folder; resolves to the server once it listens. */
export async function serveWebDemo({ port = 5173, host = '127.0.0.1', strictPort = false, quiet = false } = {}) {
  const server = await preview({
    root: '.',
    configFile: false,
    logLevel: quiet ? 'silent' : 'info',
    build: { outDir: WEB_DIR },
    preview: { host, port, strictPort, headers: ISOLATION_HEADERS, open: false },
  });
  return server;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '5173' }, host: { type: 'string', default: '127.0.0.1' }, 'no-build': { type: 'boolean', default: false } } });
  if (!values['no-build']) await buildWebDemo();
  const server = await serveWebDemo({ port: Number(values.port), host: values.host });
  const url = server.resolvedUrls?.local[0] ?? server.resolvedUrls?.network[0];
  console.log(`\nnabla web demo: ${url}  (training starts on a click; ${url}?autorun=1&epochs=1&model=dense starts by itself)\n`);
}
