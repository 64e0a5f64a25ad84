// The N-API face of the process group (exports.collectives), built only when gloo is found.
#pragma once

#include <napi.h>

namespace nabla::collectives {

/** Adds `collectives` (init, allReduce, broadcast, allGather, barrier, shutdown) to the exports. */
void exportCollectives(Napi::Env env, Napi::Object exports);

}  // namespace nabla::collectives
