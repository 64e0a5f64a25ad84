// Prints "openblas" when the build should link OpenBLAS (NABLA_BLAS=openblas and pkg-config
// knows openblas), else "none". Read by binding.gyp at configure time. nabla's own GEMM is the
// default: on the machines we measured it beats the distributions' OpenBLAS builds (see
// native/README.md), so OpenBLAS is opt-in.
import { execFileSync } from 'node:child_process';

function detect() {
  const wanted = (process.env.NABLA_BLAS ?? 'none').toLowerCase();
  if (wanted !== 'openblas') return 'none';
  try {
    execFileSync('pkg-config', ['--exists', 'openblas'], { stdio: 'ignore' });
    return 'openblas';
  } catch {
    process.stderr.write('nabla: NABLA_BLAS=openblas but pkg-config cannot find openblas; building without it\n');
    return 'none';
  }
}

process.stdout.write(detect());
