// One kernel invocation in the form both the N-API binding and the jit's plan interpreter
// produce: an op code, the typed-array buffers in argument order, and the integer words
// (shapes, flags, window geometry) the kernel reads. Each entry point reads a call the same way
// whether JS made it just now or a recorded plan replays it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common.h"
#include "kernels.h"

namespace nabla {

struct KernelCall {
  int op = 0;
  const Buffer* buffers = nullptr;
  std::size_t bufferCount = 0;
  const double* words = nullptr;
  std::size_t wordCount = 0;

  const Buffer& buffer(std::size_t i, const char* what) const {
    if (i >= bufferCount) throw InputError(std::string("nabla addon: ") + what + " must be a typed array");
    return buffers[i];
  }
};

/** Reads integers and shapes from a call's words front to back, validating each. */
class WordCursor {
 public:
  explicit WordCursor(const KernelCall& call) : words_(call.words), count_(call.wordCount) {}
  i64 integer(const char* what);
  /** Any number (NaN and infinities included). */
  double number(const char* what);
  Shape shape(const char* what);

 private:
  const double* words_;
  std::size_t count_;
  std::size_t pos_ = 0;
};

/** The addon's kernel entry points (NABLA_KERNEL_ENTRIES in op-codes.h), in the order of kEntries. */
struct EntrySpec {
  const char* name;
  bool takesOp;  // the JS call's first argument is an op code
  int outputIndex;  // which buffer the kernel writes (-1: the last)
};
extern const std::vector<EntrySpec> kEntries;

/** Run entry `entry` (an index into kEntries) on a call. */
void runEntry(int entry, const KernelCall& call);

}  // namespace nabla
