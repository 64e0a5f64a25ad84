# PyTorch side of bench/linalg.ts: median milliseconds of torch.linalg.cholesky, torch.linalg.qr,
# torch.linalg.solve_triangular and torch.linalg.solve on float64 n x n matrices, and of
# torch.fft.fft / rfft of one row of 2^16 (wall or, with `cpu`, process CPU time). Prints one JSON line.
import json, sys, time
import torch

threads, reps = int(sys.argv[1]), int(sys.argv[2])
clock = time.process_time if len(sys.argv) > 4 and sys.argv[4] == 'cpu' else time.perf_counter
sizes = [int(v) for v in sys.argv[3].split(',')]
torch.set_num_threads(threads)
torch.manual_seed(0)


def median_ms(f):
    f()
    times = []
    for _ in range(reps):
        t0 = clock()
        f()
        times.append((clock() - t0) * 1e3)
    return sorted(times)[len(times) // 2]


out = {'torch': torch.__version__, 'threads': torch.get_num_threads(), 'sizes': {}}
for n in sizes:
    x = torch.randn(n, n, dtype=torch.float64)
    a = x @ x.T + n * torch.eye(n, dtype=torch.float64)
    l = torch.linalg.cholesky(a)
    b = torch.randn(n, n, dtype=torch.float64)
    out['sizes'][n] = {
        'cholesky': median_ms(lambda: torch.linalg.cholesky(a)),
        'qr': median_ms(lambda: torch.linalg.qr(x)),
        'triangularSolve': median_ms(lambda: torch.linalg.solve_triangular(l, b, upper=False)),
        'solve': median_ms(lambda: torch.linalg.solve(x, b)),
    }
z = torch.randn(1 << 16, dtype=torch.complex128)
r = torch.randn(1 << 16, dtype=torch.float64)
out['fft'] = median_ms(lambda: torch.fft.fft(z))
out['rfft'] = median_ms(lambda: torch.fft.rfft(r))
print(json.dumps(out))
