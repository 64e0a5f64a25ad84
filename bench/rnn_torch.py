# PyTorch side of bench/rnn.ts: the same LSTM(64) -> Dense(1) model, MSE, Adam, batch 64 over
# sequences of STEPS steps with FEATURES features. Prints one JSON line: samples/s (median of
# timed epochs after one warm-up epoch), the first epoch's seconds and torch's thread count.
import json, os, sys, time
import torch

steps, features, units, batch, samples, epochs = (int(v) for v in sys.argv[1:7])
torch.manual_seed(0)
x = torch.rand(samples, steps, features)
y = torch.rand(samples, 1)


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(features, units, batch_first=True)
        self.dense = torch.nn.Linear(units, 1)

    def forward(self, xb):
        _, (h, _) = self.lstm(xb)
        return self.dense(h[-1])


net = Net()
opt = torch.optim.Adam(net.parameters(), lr=1e-3)


def epoch():
    for i in range(0, samples, batch):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(net(x[i:i + batch]), y[i:i + batch])
        loss.backward()
        opt.step()


times = []
for _ in range(epochs + 1):
    t0 = time.perf_counter()
    epoch()
    times.append(time.perf_counter() - t0)
timed = sorted(times[1:])
print(json.dumps({"samplesPerSec": samples / timed[len(timed) // 2], "firstEpochS": times[0], "threads": torch.get_num_threads(), "torch": torch.__version__}))
