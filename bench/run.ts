// `npm run bench [-- matmul op-overhead jit mlp cnn predict wasm]`: nabla and TensorFlow.js on the same work in one
// process; medians; ratios. Results go to BENCHMARKS.md by hand, with the machine line printed here.
import { machine, printTable, type Row } from './common.js';
import { benchMatmul } from './matmul.js';
import { benchOpOverhead } from './op-overhead.js';
import { benchJit } from './jit.js';
import { benchCnn, benchMlp } from './training.js';
import { benchPredict } from './predict.js';
import { benchWasm } from './wasm.js';

const suites: Record<string, () => Promise<Row[]>> = {
  matmul: () => benchMatmul(),
  'op-overhead': benchOpOverhead,
  jit: benchJit,
  mlp: benchMlp,
  cnn: benchCnn,
  predict: benchPredict,
  wasm: benchWasm,
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length ? wanted : Object.keys(suites);
console.log(`# ${new Date().toISOString()} — ${machine()}`);
const rows: Row[] = [];
for (const name of names) {
  const suite = suites[name];
  if (!suite) throw new Error(`unknown benchmark '${name}'; known: ${Object.keys(suites).join(', ')}`);
  console.error(`running ${name} ...`);
  rows.push(...(await suite()));
}
printTable(rows);
