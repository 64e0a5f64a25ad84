// The browser demo (`npm run demo:web`): pick a backend, train the dense model or the CNN on an
// MNIST subset with live curves, see the test accuracy, draw a digit and read the class
// probabilities, save the model to IndexedDB and load it back. Built by scripts/build-web-demo.mjs,
// which points the nabla import at the browser bundle. URL options: autorun=1, epochs=N,
// model=dense|cnn, backend=wasm|webgpu|js, train=N and test=N (images used, at most the served
// 20000 and 2000).
import * as nb from '../../src/index.js';
import { buildModel } from '../lib/mnist-models.js';
import { DrawPad } from './draw-pad.js';
import { LineChart } from './line-chart.js';
import { loadMnistSubset, type MnistSplit } from './mnist-web.js';

const STORED = 'indexeddb://nabla-mnist-demo';
const BATCH = 64;
const params = new URL(location.href).searchParams;
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** What a test (or a curious user in the console) can read: the page's state. */
interface DemoState {
  phase: 'loading' | 'ready' | 'training' | 'trained' | 'error';
  backend?: string;
  testAccuracy?: number;
  samplesPerSecond?: number;
  probabilities?: number[];
  loaded?: boolean;
  saved?: boolean;
  error?: string;
}
const state: DemoState = { phase: 'loading' };
(window as unknown as { nablaDemo: DemoState }).nablaDemo = state;

let model: nb.Sequential | nb.Model | null = null;
let data: { train: MnistSplit; test: MnistSplit } | null = null;
const lossChart = new LineChart($('loss-chart'), '#e4572e');
const accuracyChart = new LineChart($('accuracy-chart'), '#3a7bd5', [0, 1]);
const pad = new DrawPad($<HTMLCanvasElement>('pad'), () => void classifyDrawing());

function status(text: string): void {
  $('status').textContent = text;
}

function fail(e: unknown): void {
  state.phase = 'error';
  state.error = e instanceof Error ? e.message : String(e);
  status(`error: ${state.error}`);
  console.error(e);
}

async function chooseBackend(name: string): Promise<void> {
  await nb.setBackend(name);
  state.backend = nb.getBackend();
  const info = nb.backendInfo() as Record<string, unknown>;
  $('backend-info').textContent = `backend ${info.name}: ${Object.entries(info)
    .filter(([k]) => k !== 'name' && k !== 'available')
    .map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ')}; cross-origin isolated: ${String(globalThis.crossOriginIsolated)}`;
}

/** webgpu is offered only where the browser has an adapter; wasm only where its module loaded. */
async function setUpBackendPicker(): Promise<void> {
  const picker = $<HTMLSelectElement>('backend');
  const webgpu = picker.querySelector<HTMLOptionElement>('option[value=webgpu]')!;
  const adapter = await (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu?.requestAdapter().catch(() => null);
  webgpu.disabled = !adapter;
  if (!adapter) webgpu.textContent = 'webgpu (no adapter)';
  const wasm = picker.querySelector<HTMLOptionElement>('option[value=wasm]')!;
  if (!nb.backendInfo('wasm').available) wasm.disabled = true;
  picker.value = params.get('backend') ?? nb.getBackend();
  await chooseBackend(picker.value);
  picker.addEventListener('change', () => void chooseBackend(picker.value).catch(fail));
}

async function train(): Promise<void> {
  const kind = $<HTMLSelectElement>('model').value;
  const epochs = Number($<HTMLInputElement>('epochs').value);
  state.phase = 'training';
  state.testAccuracy = undefined;
  $('test-accuracy').textContent = '';
  $<HTMLButtonElement>('train').disabled = true;
  lossChart.clear();
  accuracyChart.clear();
  try {
    data ??= await loadMnistSubset(Number(params.get('train') ?? Infinity), Number(params.get('test') ?? Infinity));
    const { train, test } = data;
    nb.random.seed(42);
    model?.dispose();
    model = buildModel(kind);
    model.compile({ optimizer: new nb.optimizers.Adam(0.001), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const n = train.x.shape[0]!;
    const stepsPerEpoch = Math.ceil(n / BATCH);
    let seen = 0;
    let started = 0;
    let step = 0;
    const progress = new nb.callbacks.LambdaCallback({
      onTrainBegin: () => {
        started = performance.now();
      },
      onTrainBatchEnd: (_batch, logs) => {
        step++;
        seen += Math.min(BATCH, n - ((step - 1) % stepsPerEpoch) * BATCH);
        state.samplesPerSecond = seen / ((performance.now() - started) / 1000);
        if (step % 5 === 0 || step % stepsPerEpoch === 0) {
          lossChart.add(step, logs!.loss!);
          accuracyChart.add(step, logs!.accuracy!);
          $('speed').textContent = `${Math.round(state.samplesPerSecond).toLocaleString('en')} samples/s`;
          status(`training the ${kind} model on ${state.backend}: epoch ${Math.ceil(step / stepsPerEpoch)}/${epochs}, step ${step}/${stepsPerEpoch * epochs}, loss ${logs!.loss!.toFixed(3)}`);
        }
      },
    });
    await model.fit(train.x, train.y, { epochs, batchSize: BATCH, shuffle: true, verbose: 0, callbacks: [progress] });
    status(`evaluating on ${test.x.shape[0]} test images…`);
    const [, accuracy] = (await model.evaluate(test.x, test.y, { batchSize: 500, verbose: 0 })) as number[];
    state.testAccuracy = accuracy;
    $('test-accuracy').textContent = `test accuracy ${(100 * accuracy!).toFixed(1)}%`;
    status(`trained the ${kind} model on ${n} images, ${epochs} epoch${epochs > 1 ? 's' : ''}, on ${state.backend}; draw a digit below`);
    state.phase = 'trained';
    $<HTMLButtonElement>('save').disabled = false;
    await classifyDrawing();
  } catch (e) {
    fail(e);
  } finally {
    $<HTMLButtonElement>('train').disabled = false;
  }
}

function showProbabilities(probabilities: number[]): void {
  const list = $('probs');
  const top = probabilities.indexOf(Math.max(...probabilities));
  list.replaceChildren(
    ...probabilities.map((p, digit) => {
      const li = document.createElement('li');
      li.className = digit === top ? 'top' : '';
      li.innerHTML = `<span>${digit}</span><span class="bar" style="width:${Math.round(150 * p)}px"></span><span>${(100 * p).toFixed(1)}%</span>`;
      return li;
    }),
  );
  list.dataset.probabilities = JSON.stringify(probabilities);
}

async function classifyDrawing(): Promise<void> {
  if (!model || pad.isEmpty) return;
  const x = nb.tensor(pad.pixels(), [1, 28, 28, 1]);
  const out = model.predict(x) as nb.Tensor;
  const probabilities = Array.from(await out.data());
  nb.dispose([x, out]);
  state.probabilities = probabilities;
  showProbabilities(probabilities);
}

async function save(): Promise<void> {
  if (!model) return;
  await model.save(STORED);
  state.saved = true;
  status(`saved the model to ${STORED}`);
}

async function load(): Promise<void> {
  const loaded = await nb.models.load(STORED);
  model?.dispose();
  model = loaded;
  state.loaded = true;
  state.phase = 'trained';
  $<HTMLButtonElement>('save').disabled = false;
  status(`loaded the model from ${STORED}; draw a digit`);
  await classifyDrawing();
}

async function main(): Promise<void> {
  await setUpBackendPicker();
  if (params.get('model')) $<HTMLSelectElement>('model').value = params.get('model')!;
  if (params.get('epochs')) $<HTMLInputElement>('epochs').value = params.get('epochs')!;
  $('train').addEventListener('click', () => void train());
  $('save').addEventListener('click', () => void save().catch(fail));
  $('load').addEventListener('click', () => void load().catch(fail));
  $('clear').addEventListener('click', () => {
    pad.clear();
    $('probs').replaceChildren();
    delete $('probs').dataset.probabilities;
    state.probabilities = undefined;
  });
  state.phase = 'ready';
  status(`ready on ${state.backend}: press Train`);
  if (params.get('autorun') === '1') await train();
}

main().catch(fail);
