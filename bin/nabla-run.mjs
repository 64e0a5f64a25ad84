#!/usr/bin/env node
// nabla-run: start the processes of a data-parallel job on this machine, as torchrun does. Each
// gets RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT (read by
// nb.distribute.init()) and NABLA_NUM_THREADS. If one exits with an error, the others are
// stopped and nabla-run exits with its status.
//
//   npx nabla-run --nproc 2 train.ts
//   npx nabla-run --nnodes 2 --node-rank 0 --nproc 4 --master-addr 10.0.0.1 --master-port 29500 train.ts
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const USAGE = `usage: nabla-run [--nproc N] [--nnodes M --node-rank K --master-addr HOST] [--master-port P] [--threads T] [--timeout MS] script [args...]
  --nproc N        processes on this machine (default 1)
  --nnodes M       machines in the job (default 1); run nabla-run on each, with its --node-rank
  --node-rank K    this machine's index, 0 to M-1 (default 0); node 0 hosts rank 0
  --master-addr    the address of node 0, reachable from every node (default 127.0.0.1)
  --master-port    rank 0's rendezvous port (default: a free port with one node, else 29500)
  --threads T      NABLA_NUM_THREADS of each process (default 1)
  --timeout MS     NABLA_DIST_TIMEOUT_MS: how long a collective waits for the other ranks (default 60000)
A .ts script runs through tsx (a devDependency of nabla; install it where you run TypeScript).`;

function fail(message) {
  process.stderr.write(`nabla-run: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parse(argv) {
  const o = { nproc: 1, nnodes: 1, nodeRank: 0, masterAddr: '127.0.0.1', masterPort: null, threads: 1, timeout: null, script: null, args: [] };
  const ints = { '--nproc': 'nproc', '--nproc-per-node': 'nproc', '--nnodes': 'nnodes', '--node-rank': 'nodeRank', '--master-port': 'masterPort', '--threads': 'threads', '--timeout': 'timeout' };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let value = null;
    if (a.startsWith('--') && a.includes('=')) [a, value] = [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)];
    if (a === '-h' || a === '--help') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    if (a in ints || a === '--master-addr') {
      value ??= argv[++i];
      if (value === undefined) fail(`${a} needs a value`);
      if (a === '--master-addr') o.masterAddr = value;
      else {
        const n = Number(value);
        if (!Number.isInteger(n) || n < (a === '--node-rank' ? 0 : 1)) fail(`${a} must be a ${a === '--node-rank' ? 'non-negative' : 'positive'} integer, got '${value}'`);
        o[ints[a]] = n;
      }
      continue;
    }
    if (a.startsWith('-')) fail(`unknown option ${a}`);
    o.script = argv[i];
    o.args = argv.slice(i + 1);
    break;
  }
  if (!o.script) fail('no script given');
  if (o.nodeRank >= o.nnodes) fail(`--node-rank ${o.nodeRank} must be below --nnodes ${o.nnodes}`);
  if (o.nnodes > 1 && o.masterAddr === '127.0.0.1') fail('with --nnodes > 1, give --master-addr: the address of node 0 that every node can reach');
  return o;
}

/** A port nothing listens on now (one machine: the job's rank 0 takes it a moment later). */
function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** node's arguments for the script: TypeScript through tsx's loader, JavaScript as is. */
function nodeArgs(script) {
  if (!/\.[mc]?ts$/.test(script)) return [script];
  for (const base of [pathToFileURL(resolve('package.json')).href, import.meta.url]) {
    try {
      return ['--import', pathToFileURL(createRequire(base).resolve('tsx')).href, script];
    } catch {
      // not installed there; try the next place
    }
  }
  fail(`${script} is TypeScript, and tsx is not installed (npm install --save-dev tsx), or compile it to JavaScript first`);
}

async function main() {
  const o = parse(process.argv.slice(2));
  const port = o.masterPort ?? (o.nnodes === 1 ? await freePort() : 29500);
  const world = o.nnodes * o.nproc;
  const children = [];
  let exitCode = null;
  const stopAll = (signal) => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill(signal);
  };
  for (let local = 0; local < o.nproc; local++) {
    const rank = o.nodeRank * o.nproc + local;
    const env = {
      ...process.env,
      RANK: String(rank),
      LOCAL_RANK: String(local),
      WORLD_SIZE: String(world),
      LOCAL_WORLD_SIZE: String(o.nproc),
      MASTER_ADDR: o.masterAddr,
      MASTER_PORT: String(port),
      NABLA_NUM_THREADS: String(o.threads),
      ...(o.timeout ? { NABLA_DIST_TIMEOUT_MS: String(o.timeout) } : {}),
    };
    const child = spawn(process.execPath, [...nodeArgs(o.script), ...o.args], { env, stdio: 'inherit' });
    children.push(child);
    child.on('exit', (code, signal) => {
      const status = code ?? 128 + ({ SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }[signal] ?? 1);
      if (status !== 0 && exitCode === null) {
        exitCode = status;
        process.stderr.write(`nabla-run: rank ${rank} exited with ${code !== null ? `status ${code}` : signal}; stopping the other ranks\n`);
        stopAll('SIGTERM');
        setTimeout(() => stopAll('SIGKILL'), 5000).unref();
      }
      if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(exitCode ?? 0);
    });
  }
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => stopAll(sig));
}

main();
