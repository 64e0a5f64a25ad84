/// <reference types="@webgpu/types" />
// Finding a GPUDevice: `navigator.gpu` in browsers, the `webgpu` npm package (Dawn) in Node.

export interface AcquiredDevice {
  readonly device: GPUDevice;
  /** What the adapter says it is ('llvmpipe', a GPU's name, ...). */
  readonly adapterName: string;
  /** 'browser' or 'dawn/<backend>'. */
  readonly source: string;
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

/** Limits worth raising above WebGPU's defaults when the adapter allows it (compatibility mode defaults are small). */
const WANTED_LIMITS = ['maxStorageBuffersPerShaderStage', 'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX', 'maxStorageBufferBindingSize', 'maxBufferSize'] as const;

async function deviceFrom(adapter: GPUAdapter, source: string): Promise<AcquiredDevice> {
  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) {
    const v = adapter.limits[name];
    if (typeof v === 'number') requiredLimits[name] = v;
  }
  const device = await adapter.requestDevice({ requiredLimits });
  const info = (adapter as { info?: GPUAdapterInfo }).info;
  const adapterName = [info?.vendor, info?.architecture, info?.device, info?.description].filter(Boolean).join(' ') || 'unknown adapter';
  return { device, adapterName, source };
}

/** A device from the browser's `navigator.gpu`. */
async function browserDevice(): Promise<AcquiredDevice> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) throw new Error('this browser has no navigator.gpu (WebGPU is not enabled here)');
  const adapter = (await gpu.requestAdapter()) ?? (await gpu.requestAdapter({ featureLevel: 'compatibility' } as GPURequestAdapterOptions));
  if (!adapter) throw new Error('navigator.gpu.requestAdapter() found no adapter (no usable GPU, or WebGPU is blocked)');
  return deviceFrom(adapter, 'browser');
}

interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

/**
 * Dawn instances stay referenced for the life of the process: collecting one tears down threads
 * that its devices (and Mesa) still use, which crashes the process at random later.
 */
const instances: GPU[] = [];
function keep(gpu: GPU): GPU {
  instances.push(gpu);
  return gpu;
}

/**
 * A device from Dawn. A hardware adapter is tried first; without one, Mesa's llvmpipe through
 * OpenGL ES in compatibility mode (it needs EGL_PLATFORM=surfaceless and XDG_RUNTIME_DIR, which
 * Mesa reads when the first adapter is created, so they are set here when missing).
 */
async function dawnDevice(): Promise<AcquiredDevice> {
  let dawn: DawnModule;
  try {
    const name = 'webgpu';
    dawn = (await import(/* @vite-ignore */ name)) as DawnModule;
  } catch (e) {
    throw new Error(`the optional dependency 'webgpu' (Dawn for Node) could not be loaded: ${(e as Error).message}; install it with \`npm install webgpu\``);
  }
  Object.assign(globalThis, dawn.globals);
  const hardware = await keep(dawn.create([])).requestAdapter();
  if (hardware) return deviceFrom(hardware, 'dawn');
  process.env.EGL_PLATFORM ??= 'surfaceless';
  process.env.XDG_RUNTIME_DIR ??= process.env.TMPDIR ?? '/tmp';
  const soft = await keep(dawn.create(['backend=opengles'])).requestAdapter({ featureLevel: 'compatibility' } as GPURequestAdapterOptions);
  if (!soft) {
    throw new Error('Dawn found no adapter: no GPU driver (Vulkan) and no OpenGL ES (Mesa EGL/GLES libraries) on this machine');
  }
  return deviceFrom(soft, 'dawn/opengles');
}

/** The best device here, or an Error that says why there is none. */
export function acquireDevice(): Promise<AcquiredDevice> {
  return isNode ? dawnDevice() : browserDevice();
}
