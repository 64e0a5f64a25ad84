# PyTorch side of bench/matmul.ts and bench/training.ts: float32 matmul n x n (GFLOP/s, median of
# timed runs) and the same MLP 784-128-10 and CNN fits as the nabla and TF.js rows (Adam,
# categorical cross-entropy on softmax outputs, uniform inputs, one-hot labels; samples/s, median of
# timed epochs after one warm-up epoch). Usage: torch_bench.py THREADS TASK... with TASK one of
# matmul:N, mlp, cnn. Prints one JSON line: torch's version, its thread count and one rate per task.
import json, sys, time
import torch

threads = int(sys.argv[1])
torch.set_num_threads(threads)
torch.manual_seed(0)


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def matmul(n):
    a, b = torch.rand(n, n), torch.rand(n, n)
    reps = 9 if n >= 2048 else 21
    for _ in range(3):
        torch.matmul(a, b)
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        torch.matmul(a, b)
        times.append(time.perf_counter() - t0)
    return 2 * n ** 3 / median(times) / 1e9


def fit_rate(net, x, y, batch, epochs):
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)

    def epoch():
        for i in range(0, x.shape[0], batch):
            opt.zero_grad()
            p = net(x[i:i + batch])
            loss = -(y[i:i + batch] * torch.log(p.clamp(1e-7, 1 - 1e-7))).sum(1).mean()
            loss.backward()
            opt.step()

    epoch()
    times = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        epoch()
        times.append(time.perf_counter() - t0)
    return x.shape[0] / median(times)


def one_hot(samples):
    return torch.nn.functional.one_hot(torch.randint(0, 10, (samples,)), 10).float()


def mlp():
    net = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10), torch.nn.Softmax(dim=1))
    return fit_rate(net, torch.rand(10000, 784), one_hot(10000), 128, 5)


def cnn():
    # NCHW (PyTorch's layout); the same layers and sizes as the NHWC nabla/TF.js model.
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(64 * 5 * 5, 10), torch.nn.Softmax(dim=1))
    return fit_rate(net, torch.rand(2048, 1, 28, 28), one_hot(2048), 64, 3)


rates = {}
for task in sys.argv[2:]:
    if task.startswith('matmul:'):
        rates[task] = matmul(int(task.split(':')[1]))
    elif task == 'mlp':
        rates[task] = mlp()
    elif task == 'cnn':
        rates[task] = cnn()
    else:
        raise SystemExit(f'unknown task {task}')
print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'rates': rates}))
