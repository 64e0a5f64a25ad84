// Prints "gloo" when the build should link gloo for nb.distribute's collectives (NABLA_COLLECTIVES
// is not "none" and a test program including gloo's headers links against -lgloo), else "none".
// Read by binding.gyp at configure time. Debian: apt-get install libgloo-dev.
import { spawnSync } from 'node:child_process';

function detect() {
  const wanted = (process.env.NABLA_COLLECTIVES ?? 'auto').toLowerCase();
  if (wanted === 'none') return 'none';
  const program = '#include <gloo/allreduce.h>\n#include <gloo/transport/tcp/device.h>\nint main() { return 0; }\n';
  const cxx = process.env.CXX || 'c++';
  const r = spawnSync(cxx, ['-std=c++17', '-x', 'c++', '-', '-o', '/dev/null', '-lgloo'], { input: program, stdio: ['pipe', 'ignore', 'ignore'] });
  if (r.status === 0) return 'gloo';
  if (wanted === 'gloo') process.stderr.write('nabla: NABLA_COLLECTIVES=gloo but gloo does not compile and link here (apt-get install libgloo-dev); building without it\n');
  return 'none';
}

process.stdout.write(detect());
