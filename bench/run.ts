// `npm run bench [-- matmul op-overhead jit mlp cnn predict inference wasm checkpoint jacobian rnn]`: nabla and TensorFlow.js on the same work in one
// process (jax-js on the matmul rows, PyTorch through python3-torch on matmul, MLP and CNN, each on
// one thread and on all cores; onnxruntime-node in the inference suite); medians; ratios. Results
// go to BENCHMARKS.md by hand, with the machine line printed here.
// TF.js's backends run one thread in Node, so the nabla columns are measured again in a child with
// NABLA_NUM_THREADS=1 (skip it with --no-single-thread).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { machine, nablaOnly, nablaThreads, printTable, type Row } from './common.js';
import { benchMatmul } from './matmul.js';
import { benchOpOverhead } from './op-overhead.js';
import { benchJit } from './jit.js';
import { benchCnn, benchMlp } from './training.js';
import { benchPredict } from './predict.js';
import { benchInference } from './inference.js';
import { benchWasm } from './wasm.js';
import { benchCheckpoint } from './checkpoint.js';
import { benchJacobian } from './jacobian.js';
import { benchRnn } from './rnn.js';

const suites: Record<string, () => Promise<Row[]>> = {
  matmul: () => benchMatmul(),
  'op-overhead': benchOpOverhead,
  jit: benchJit,
  mlp: benchMlp,
  cnn: benchCnn,
  predict: benchPredict,
  inference: benchInference,
  wasm: benchWasm,
  checkpoint: benchCheckpoint,
  jacobian: benchJacobian,
  rnn: benchRnn,
};

const ONE_THREAD_ROWS = 'nabla one-thread rows: ';

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length ? wanted : Object.keys(suites);
if (!nablaOnly) console.log(`# ${new Date().toISOString()} — ${machine()}`);
const rows: Row[] = [];
for (const name of names) {
  const suite = suites[name];
  if (!suite) throw new Error(`unknown benchmark '${name}'; known: ${Object.keys(suites).join(', ')}`);
  console.error(`running ${name}${nablaOnly ? ' (nabla, 1 thread)' : ''} ...`);
  rows.push(...(await suite()));
}

if (nablaOnly) {
  console.log(ONE_THREAD_ROWS + JSON.stringify(rows.map((r) => ({ name: r.name, nabla: r.nabla, nablaJit: r.nablaJit }))));
} else {
  if (nablaThreads() === 1) {
    for (const r of rows) [r.nabla1, r.nablaJit1] = [r.nabla, r.nablaJit];
  } else if (!process.argv.includes('--no-single-thread')) {
    for (const r of singleThreadRows(names)) {
      const row = rows.find((x) => x.name === r.name);
      if (row) [row.nabla1, row.nablaJit1] = [r.nabla, r.nablaJit];
    }
  }
  printTable(rows);
}

function singleThreadRows(suiteNames: string[]): Pick<Row, 'name' | 'nabla' | 'nablaJit'>[] {
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...suiteNames], {
    env: { ...process.env, NABLA_NUM_THREADS: '1', NABLA_BENCH_NABLA_ONLY: '1' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = child.stdout.split('\n').find((l) => l.startsWith(ONE_THREAD_ROWS));
  if (child.status !== 0 || !line) throw new Error(`the one-thread run failed (exit ${child.status})`);
  return JSON.parse(line.slice(ONE_THREAD_ROWS.length)) as Pick<Row, 'name' | 'nabla' | 'nablaJit'>[];
}
