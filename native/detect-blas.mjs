// Prints "openblas" when the build should link OpenBLAS (NABLA_BLAS is not "none" and
// pkg-config knows openblas), else "none". Read by binding.gyp at configure time.
import { execFileSync } from 'node:child_process';

function detect() {
  const wanted = (process.env.NABLA_BLAS ?? 'auto').toLowerCase();
  if (wanted === 'none') return 'none';
  try {
    execFileSync('pkg-config', ['--exists', 'openblas'], { stdio: 'ignore' });
    return 'openblas';
  } catch {
    if (wanted === 'openblas') process.stderr.write('nabla: NABLA_BLAS=openblas but pkg-config cannot find openblas; building without it\n');
    return 'none';
  }
}

process.stdout.write(detect());
