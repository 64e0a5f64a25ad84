import type { Backend } from '../backends/backend.js';
import type { Storage } from '../tensor/storage.js';
import type { Tensor } from '../tensor/tensor.js';
import { stridesOf } from '../tensor/shape.js';

export interface BackendMemory {
  numTensors: number;
  numBuffers: number;
  numBytes: number;
}

/**
 * What is still counted for one group of buffers. The FinalizationRegistry keeps this record (never
 * a host buffer) until the group is collected, then takes its counts off the totals.
 */
interface GroupCounts {
  readonly stats: BackendMemory;
  readonly backend: Backend;
  tensors: number;
  buffers: number;
  bytes: number;
  /** The device buffer of a one-buffer device group, until it is freed. */
  handle: unknown;
  /** Holds one long-lived (variable) storage at a time; see `dedicate`. */
  readonly dedicated: boolean;
  /** One of the shared groups of host buffers or views (`shared`). */
  readonly shared: boolean;
}

/** Referenced by every storage of its group, so it is collected with the last of them. */
export class MemoryGroup {
  constructor(readonly counts: GroupCounts) {}
}

/**
 * Host buffers (typed arrays) are accounted in groups of this many: a registry entry per tensor
 * would cost ~150 bytes that a synchronous loop cannot give back before it yields (registry
 * callbacks only run between tasks), so a loop that never disposes would grow without bound.
 */
const HOST_GROUP_SIZE = 16;

/**
 * A loop that never yields never sees a group collected, so its groups pile up: every this many
 * uncollected groups, new ones grow twice as large, up to MAX_SHARED_GROUP (one registry entry per
 * 256 allocations, ~1 byte each). Larger groups would cost precision: a survivor keeps its whole
 * group counted. Sizes return to HOST_GROUP_SIZE once the loop yields.
 */
const GROUPS_PER_DOUBLING = 256;
const MAX_GROUP_SHIFT = 4;
/** The most tensors one survivor can keep counted after the others in its group were collected. */
export const MAX_SHARED_GROUP = HOST_GROUP_SIZE << MAX_GROUP_SHIFT;

/** A group shared by many small records: host buffers, or views (tensors over another's storage). */
interface SharedGroup {
  /**
   * The group being filled, held weakly so that it is collected with its members even when nothing
   * new joins it (a WeakRef only delays that to the end of the current task).
   */
  group: WeakRef<MemoryGroup> | undefined;
  fill: number;
}

interface PerBackend {
  readonly stats: BackendMemory;
  readonly host: SharedGroup;
  readonly views: SharedGroup;
}

/**
 * Counts live tensors and buffers per backend. `dispose()` releases at once (and frees device
 * buffers when their last tensor goes); the garbage collector is the safety net of DESIGN.md §6:
 * a device buffer is freed when its storage is collected, and host buffers, which the collector
 * frees itself, come off the counts when their whole group is collected.
 */
export class MemoryTracker {
  private backends = new Map<string, PerBackend>();
  private registry = new FinalizationRegistry<GroupCounts>((c) => this.groupCollected(c));

  /** Shared groups (host buffers, views) not collected yet. */
  private pendingSharedGroups = 0;

  private lastBackend: Backend | undefined;
  private lastRecord: PerBackend | undefined;

  private of(backend: Backend): PerBackend {
    if (backend === this.lastBackend) return this.lastRecord!;
    let m = this.backends.get(backend.name);
    if (!m) this.backends.set(backend.name, (m = { stats: { numTensors: 0, numBuffers: 0, numBytes: 0 }, host: { group: undefined, fill: 0 }, views: { group: undefined, fill: 0 } }));
    this.lastBackend = backend;
    this.lastRecord = m;
    return m;
  }

  /** Account a freshly allocated storage. */
  onAlloc(s: Storage): void {
    const m = this.of(s.backend);
    s.bytes = s.backend.byteLength(s.handle);
    const group = ArrayBuffer.isView(s.handle) ? this.hostGroup(m, s.backend) : this.newGroup(m.stats, s.backend, s.handle, false);
    s.group = group;
    group.counts.buffers++;
    group.counts.bytes += s.bytes;
    m.stats.numBuffers++;
    m.stats.numBytes += s.bytes;
  }

  /** The group the next host buffer joins. */
  private hostGroup(m: PerBackend, backend: Backend): MemoryGroup {
    return this.shared(m.host, m.stats, backend);
  }

  private shared(slot: SharedGroup, stats: BackendMemory, backend: Backend): MemoryGroup {
    const shift = Math.min(MAX_GROUP_SHIFT, Math.floor(this.pendingSharedGroups / GROUPS_PER_DOUBLING));
    let group = slot.group?.deref();
    if (!group || slot.fill >= HOST_GROUP_SIZE << shift) {
      group = this.newGroup(stats, backend, undefined, false, true);
      slot.group = new WeakRef(group);
      slot.fill = 0;
      this.pendingSharedGroups++;
    }
    slot.fill++;
    return group;
  }

  private newGroup(stats: BackendMemory, backend: Backend, handle: unknown, dedicated: boolean, shared = false): MemoryGroup {
    const counts: GroupCounts = { stats, backend, tensors: 0, buffers: 0, bytes: 0, handle, dedicated, shared };
    const group = new MemoryGroup(counts);
    this.registry.register(group, counts);
    return group;
  }

  /**
   * A new tensor over `t.storage`. The first is counted with its buffer; a later one (a view) in a
   * shared group of views, so that 100k slices of one live tensor stop counting once collected.
   */
  onTensor(t: Tensor): void {
    const s = t.storage;
    let c: GroupCounts;
    if (s.refs++ === 0) {
      c = s.group!.counts;
      s.ownerCounted = 1;
    } else {
      const m = this.of(s.backend);
      t.viewGroup = this.shared(m.views, m.stats, s.backend);
      c = t.viewGroup.counts;
    }
    c.tensors++;
    c.stats.numTensors++;
  }

  /** `t` was disposed by hand. */
  release(t: Tensor): void {
    let c: GroupCounts;
    if (t.viewGroup) {
      c = t.viewGroup.counts;
      t.viewGroup = undefined;
    } else {
      c = t.storage.group!.counts;
      t.storage.ownerCounted = 0;
    }
    c.tensors--;
    c.stats.numTensors--;
    this.unref(t.storage);
  }

  /** Point `t` at a new (contiguous) storage holding the same values. */
  swapStorage(t: Tensor, fresh: Storage): void {
    if (fresh === t.storage) return; // `v.assign(v)`: releasing first would free the buffer kept
    this.release(t);
    t.storage = fresh;
    t.strides = stridesOf(t.shape);
    t.offset = 0;
    this.onTensor(t);
  }

  /**
   * Give a long-lived host storage (a variable's) a group of its own, so that it does not keep the
   * temporaries allocated beside it counted after they are collected. When it replaces `previous`
   * (an assign), it takes over previous's group, and previous goes back to an ordinary group: one
   * registry entry per variable, not one per assign.
   */
  dedicate(s: Storage, previous?: Storage): void {
    if (!ArrayBuffer.isView(s.handle) || s === previous) return;
    const m = this.of(s.backend);
    const reuse = previous?.group?.counts;
    let group: MemoryGroup;
    if (previous && reuse?.dedicated && reuse.stats === m.stats) {
      group = previous.group!;
      this.move(previous, this.hostGroup(this.of(previous.backend), previous.backend));
    } else if (s.group!.counts.dedicated) {
      return; // another variable's storage (`new Variable(otherVariable)`)
    } else {
      group = this.newGroup(m.stats, s.backend, undefined, true);
    }
    this.move(s, group);
  }

  private move(s: Storage, to: MemoryGroup): void {
    const from = s.group!.counts;
    const c = to.counts;
    from.tensors -= s.ownerCounted;
    c.tensors += s.ownerCounted;
    if (!s.released) {
      from.buffers--;
      from.bytes -= s.bytes;
      c.buffers++;
      c.bytes += s.bytes;
    }
    s.group = to;
  }

  private unref(s: Storage): void {
    if (--s.refs > 0 || s.released) return;
    s.released = true;
    const c = s.group!.counts;
    c.buffers--;
    c.bytes -= s.bytes;
    c.stats.numBuffers--;
    c.stats.numBytes -= s.bytes;
    if (c.handle === s.handle) c.handle = undefined;
    s.backend.free(s.handle);
  }

  private groupCollected(c: GroupCounts): void {
    if (c.shared) this.pendingSharedGroups--;
    c.stats.numTensors -= c.tensors;
    c.stats.numBuffers -= c.buffers;
    c.stats.numBytes -= c.bytes;
    c.tensors = c.buffers = c.bytes = 0;
    if (c.handle !== undefined) c.backend.free(c.handle);
    c.handle = undefined;
  }

  snapshot(): Record<string, BackendMemory> {
    const out: Record<string, BackendMemory> = {};
    for (const [k, v] of this.backends) out[k] = { ...v.stats };
    return out;
  }
}
