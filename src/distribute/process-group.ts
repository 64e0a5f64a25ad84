// The process group of this job: one per process, set up from the launcher's environment
// (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT, as torchrun) or from options.
import { NablaError, ValueError } from '../errors.js';
import { collectivesAddon, type CollectivesAddon } from './collectives-addon.js';

export interface InitOptions {
  /** This process's rank, 0 to worldSize - 1 (default: RANK). */
  rank?: number;
  /** How many processes train together (default: WORLD_SIZE). */
  worldSize?: number;
  /** The host of rank 0, which serves the rendezvous (default: MASTER_ADDR, else 127.0.0.1). */
  masterAddr?: string;
  /** Rank 0's rendezvous port (default: MASTER_PORT, else 29500). */
  masterPort?: number;
  /**
   * Milliseconds the rendezvous and each collective may wait for the other ranks before failing
   * (default: NABLA_DIST_TIMEOUT_MS, else 60000): a rank that died makes the others fail with an
   * error instead of waiting forever.
   */
  timeout?: number;
  /** The network interface gloo binds (default: GLOO_SOCKET_IFNAME, else the one that reaches the master). */
  iface?: string;
}

interface Group {
  readonly addon: CollectivesAddon;
  readonly rank: number;
  readonly worldSize: number;
  readonly timeout: number;
  /** Why the group stopped working (a peer died or timed out); every later collective fails with it. */
  broken: string | null;
}

let group: Group | null = null;

/** The environment (none outside Node: then init() fails for want of the addon, saying so). */
function env(name: string): string | undefined {
  return (globalThis as { process?: NodeJS.Process }).process?.env?.[name];
}

function envInt(name: string): number | undefined {
  const v = env(name);
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new ValueError(`nb.distribute.init: environment variable ${name} must be an integer, got '${v}'`);
  return n;
}

function required(op: string, value: number | undefined, what: string, env: string): number {
  if (value === undefined) throw new ValueError(`${op}: ${what} is not set: pass { ${what} } or set ${env} (npx nabla-run sets it)`);
  return value;
}

/** Join the job's process group: returns once every rank has joined (or fails after the timeout). */
export async function init(options: InitOptions = {}): Promise<void> {
  const op = 'nb.distribute.init';
  if (group) throw new ValueError(`${op}: the process group is already initialized (rank ${group.rank} of ${group.worldSize}); call shutdown() first`);
  const worldSize = required(op, options.worldSize ?? envInt('WORLD_SIZE'), 'worldSize', 'WORLD_SIZE');
  const rank = required(op, options.rank ?? envInt('RANK'), 'rank', 'RANK');
  const masterAddr = options.masterAddr ?? env('MASTER_ADDR') ?? '127.0.0.1';
  const masterPort = options.masterPort ?? envInt('MASTER_PORT') ?? 29500;
  const timeout = options.timeout ?? envInt('NABLA_DIST_TIMEOUT_MS') ?? 60000;
  const iface = options.iface ?? env('GLOO_SOCKET_IFNAME') ?? '';
  if (!Number.isInteger(worldSize) || worldSize < 1) throw new ValueError(`${op}: worldSize must be a positive integer, got ${worldSize}`);
  if (!Number.isInteger(rank) || rank < 0 || rank >= worldSize) throw new ValueError(`${op}: rank must be an integer from 0 to ${worldSize - 1} (worldSize ${worldSize}), got ${rank}`);
  if (!Number.isInteger(masterPort) || masterPort < 1 || masterPort > 65535) throw new ValueError(`${op}: masterPort must be a port number (1 to 65535), got ${masterPort}`);
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 2 ** 31 - 1) throw new ValueError(`${op}: timeout must be a positive whole number of milliseconds, got ${timeout}`);
  const addon = collectivesAddon();
  try {
    addon.init(rank, worldSize, masterAddr, masterPort, timeout, iface);
  } catch (e) {
    throw new NablaError(`${op}: rank ${rank} of ${worldSize} could not join the process group at ${masterAddr}:${masterPort}: ${(e as Error).message}`);
  }
  group = { addon, rank, worldSize, timeout, broken: null };
}

/** Leave the process group (every rank should call it at the end; exiting also leaves it). */
export async function shutdown(): Promise<void> {
  if (!group) return;
  const g = group;
  group = null;
  g.addon.shutdown();
}

/** Whether init() has set up a process group in this process. */
export function isInitialized(): boolean {
  return group !== null;
}

/** This process's rank (0 before init: a single process is rank 0 of 1). */
export function rank(): number {
  return group?.rank ?? 0;
}

/** How many processes train together (1 before init). */
export function worldSize(): number {
  return group?.worldSize ?? 1;
}

/**
 * Run a collective of the group, turning a failure into an error that says which rank saw it,
 * what it was doing, and that the job has to stop; every later collective fails at once.
 * @internal
 */
export function runCollective(op: string, call: (addon: CollectivesAddon) => void): void {
  if (!group) throw new ValueError(`${op}: no process group: call await nb.distribute.init() first`);
  const g = group;
  if (g.broken) throw new NablaError(`${op}: the process group failed earlier (${g.broken}); restart the job`);
  try {
    call(g.addon);
  } catch (e) {
    const why = (e as Error).message;
    g.broken = why;
    throw new NablaError(
      `${op}: rank ${g.rank} of ${g.worldSize} lost contact with the other ranks (a rank died, or did not answer within the ${g.timeout} ms timeout): ${why}. ` +
        'The process group cannot continue; restart the job (ModelCheckpoint and fit({ initialEpoch }) resume from the last checkpoint).',
    );
  }
}
