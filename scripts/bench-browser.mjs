// `npm run bench:browser`: the browser benchmark. Builds bench/browser/page.ts into
// dist/bench-browser/ (nabla's browser bundle and wasm module beside it; TF.js with its wasm
// backend, and jax-js, bundled into the page; TF.js's .wasm files under tfjs/), serves it
// cross-origin isolated (COOP/COEP: shared memory, so wasm threads where a library uses them),
// opens it in headless Chromium (playwright-core; CHROMIUM_PATH or /usr/bin/chromium) with TF.js
// asked for every core (and again on one thread when it took more than one), and prints a table:
// nabla wasm, TF.js wasm and jax-js wasm (Web Workers in a page), thread counts, ratios, the
// browser's version. Options: --sizes 256,512,1024, --quick (tiny work, to check that it runs).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { ISOLATION_HEADERS } from './demo-web.mjs';

export const BENCH_DIR = 'dist/bench-browser';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Query parameters of a run that only checks the page works (bench/browser/page.ts reads them). */
export const QUICK = { sizes: '64,128', reps: '1', warmup: '0', samples: '256', fitReps: '1' };

/** nabla's source, imported by the page's files, is the bundle beside the page at run time. */
const nablaIsTheBundle = {
  name: 'nabla-is-the-bundle',
  setup(b) {
    b.onResolve({ filter: /\/src\/index\.js$/ }, () => ({ path: './nabla.browser.js', external: true }));
  },
};

export async function buildBenchPage() {
  await import('./build-browser.mjs');
  mkdirSync(join(BENCH_DIR, 'tfjs'), { recursive: true });
  // The bundle and whatever the wasm build put beside it (the module; a threaded twin where built).
  for (const f of readdirSync('dist')) {
    if (/^nabla[^/]*\.(js|map|wasm)$/.test(f) && !f.includes('.min.') && statSync(join('dist', f)).isFile()) copyFileSync(join('dist', f), join(BENCH_DIR, f));
  }
  const tfjsDist = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  for (const f of readdirSync(tfjsDist)) if (f.endsWith('.wasm')) copyFileSync(join(tfjsDist, f), join(BENCH_DIR, 'tfjs', f));
  await build({
    entryPoints: ['bench/browser/page.ts'],
    outfile: join(BENCH_DIR, 'page.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    plugins: [nablaIsTheBundle],
    logLevel: 'warning',
  });
  const html = '<!doctype html><meta charset="utf-8"><title>nabla browser benchmark</title><pre id="out">running; results in window.nablaBench</pre><script type="module" src="page.js"></script>';
  writeFileSync(join(BENCH_DIR, 'index.html'), html);
  return BENCH_DIR;
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.map': 'application/json' };

/** Serve BENCH_DIR on a free port, cross-origin isolated; resolves to { url, close }. */
export function serveBenchPage() {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^\/+/, '') || 'index.html';
    let body;
    try {
      if (path.startsWith('..')) throw new Error('outside');
      body = readFileSync(join(BENCH_DIR, path));
    } catch {
      res.writeHead(404, ISOLATION_HEADERS).end();
      return;
    }
    res.writeHead(200, { ...ISOLATION_HEADERS, 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
    res.end(body);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => server.close(r)) })),
  );
}

/** Open the page once per entry of `queries` in one headless Chromium; the pages' results and the browser's version. */
export async function runBenchPages(url, queries, { timeoutMs = 600_000 } = {}) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  try {
    const results = [];
    for (const query of queries) {
      const page = await browser.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${url}?${new URLSearchParams(query)}`);
      await page.waitForFunction(() => ['done', 'error'].includes(window.nablaBench?.phase) || undefined, undefined, { timeout: timeoutMs, polling: 250 }).catch(() => undefined);
      const result = await page.evaluate(() => window.nablaBench);
      if (!result || result.phase !== 'done') throw new Error(`the benchmark page did not finish (${result?.phase ?? 'no result'}, at ${result?.step}): ${result?.error ?? errors.join('\n')}`);
      results.push(result);
      await page.close();
    }
    return { results, version: browser.version() };
  } finally {
    await browser.close();
  }
}

function fmt(v) {
  if (typeof v !== 'number') return '-';
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** The table: `best` is the page with TF.js on every core, `one` (optional) with TF.js on one thread. */
export function formatTable(best, one) {
  const header = ['benchmark', 'unit', 'threads nabla / tfjs-wasm / jax-js', 'nabla wasm', 'nabla wasm jit', 'tfjs-wasm', 'tfjs-wasm 1 thread', 'jax-js wasm', 'vs tfjs-wasm', 'vs tfjs-wasm 1 thread', 'vs jax-js'];
  const threads = `${best.nabla.threads ?? 1} / ${best.tfjs.threads}${one ? ` and ${one.tfjs.threads}` : ''} / ${best.jax.threads}`;
  const lines = best.rows.map((r) => {
    const nabla = Math.max(r.nabla, r.nablaJit ?? -Infinity);
    const tf1 = one ? one.rows.find((x) => x.name === r.name)?.tfjs : best.tfjs.threads === 1 ? r.tfjs : undefined;
    const vs = (other) => (other ? `${(nabla / other).toFixed(1)}x` : '-');
    return [r.name, r.unit, threads, fmt(r.nabla), fmt(r.nablaJit), fmt(r.tfjs), fmt(tf1), fmt(r.jax), vs(r.tfjs), vs(tf1), vs(r.jax)];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(line)].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { sizes: { type: 'string', default: '256,512,1024' }, quick: { type: 'boolean', default: false } } });
  const base = values.quick ? QUICK : { sizes: values.sizes };
  await buildBenchPage();
  const { url, close } = await serveBenchPage();
  try {
    // TF.js's own default is half the cores (one thread on 2 cores): ask for all of them, and when
    // it takes more than one, open the page again with one, to compare best with best and with one.
    const cores = cpus().length;
    const first = await runBenchPages(url, [{ ...base, tfThreads: String(cores) }]);
    const version = first.version;
    const [best] = first.results;
    const one = best.tfjs.threads > 1 ? (await runBenchPages(url, [{ ...base, tfThreads: '1' }])).results[0] : undefined;
    console.log(`# ${new Date().toISOString()} — Chromium ${version} (headless), ${cpus()[0]?.model ?? 'unknown CPU'}, ${best.hardwareConcurrency} logical cores, crossOriginIsolated ${best.crossOriginIsolated}`);
    console.log(`# nabla ${JSON.stringify(best.nabla)}; TF.js ${JSON.stringify(best.tfjs)} (asked for ${cores} threads)${one ? `, and ${one.tfjs.threads} thread in a second page` : ''}; jax-js ${JSON.stringify(best.jax)}`);
    console.log(formatTable(best, one));
  } finally {
    await close();
  }
}
