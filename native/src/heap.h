// Process heap settings for tensor-sized allocations.
#pragma once

namespace nabla {

/**
 * Keep freed tensor buffers in the C heap for reuse (glibc only; NABLA_HEAP_TUNING=0 disables).
 * Every op result is a fresh JS typed array; by default glibc maps each large one from the kernel
 * and unmaps it when freed, so every training step page-faults its activations in again.
 */
void keepFreedTensorMemory();

}  // namespace nabla
