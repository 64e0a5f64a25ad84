// A direct conv → bias → activation → max pool for the shapes where the conv runs the
// register-tiled path (a CNN's first layers at small batch): each pooled output's window of conv
// pixels is summed in registers and pooled at once, so the conv's output is never written. At
// batch 1 the unfused steps cost more in passes over the conv output (bias, activation, pool)
// and in per-tile calls than in multiplies (BENCHMARKS.md, issue 22).
#pragma once

#include <vector>

#include "common.h"

namespace nabla {

/**
 * conv (x, filter) + bias → act → max pool into out, as fusedConvPool's steps would compute it
 * bit for bit, where the conv would take the tiled path (every element one chain of fused
 * multiply-adds over the window's taps, from zero, in patch order). Returns false, doing
 * nothing, where this kernel does not apply: not float32, another conv path, grouped or 1x1
 * convs, negative padding, an activation other than relu, an average pool, overlapping pool
 * windows, a patch of more than 64 taps over more than 256 output pixels (the tile product is as
 * fast there), or a CPU without AVX-512. Arguments as convPool's (conv-pool.h).
 */
bool convPoolDirect(int act, const Buffer& x, const Buffer& filter, const Buffer& bias, bool hasBias, const Buffer& out,
                    const std::vector<i64>& convParams, const std::vector<i64>& poolParams, int poolMode);

/** One pooled output row's work for the AVX-512 kernel: geometry in the (zero-padded) input. */
struct DirectConvPoolShape {
  i64 w, c;                // input row length and channels (of the padded image)
  i64 sh, sw;              // conv strides
  i64 o, K;                // output channels, taps per window (kh * kw * c)
  i64 oh, ow;              // conv output rows and columns
  i64 ph, pw, psh, psw;    // pool window and strides
  i64 ptop, pleft, pout;   // pool padding (top, left) and pooled columns per row
};

#if defined(__x86_64__) || defined(_M_X64)
/**
 * Pooled row `i` of one image (image: its padded input; taps: the K tap offsets; bias: null or o
 * floats; relu: whether to apply it; out: the row's pout x o outputs). conv-pool-direct-avx512.cc.
 */
void convPoolDirectRowAvx512(const DirectConvPoolShape& s, const float* image, const i64* taps, const float* filter, const float* bias,
                             bool relu, i64 i, float* out);
#endif

}  // namespace nabla
