#!/usr/bin/python3
"""Write a PyTorch ResNet-18 (torchvision's layers and shapes, written out here: Debian has no
python3-torchvision) to an ONNX file for bench/inference.ts, channels first, random weights and BN
statistics from a fixed seed. BatchNormalization nodes are kept (TrainingMode.PRESERVE from eval
mode), as exporters without PyTorch's Conv+BN folding write them, so each runtime folds them itself.
Usage: resnet18_torch.py OUT.onnx SIZE
"""
import sys

import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return torch.relu(y + (self.down(x) if self.down is not None else x))


class ResNet18(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.pool = nn.MaxPool2d(3, 2, 1)
        layers = []
        cin = 64
        for cout, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
            layers += [Block(cin, cout, stride), Block(cout, cout, 1)]
            cin = cout
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(512, 1000)

    def forward(self, x):
        x = self.pool(torch.relu(self.bn1(self.conv1(x))))
        x = self.layers(x)
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def randomise_batch_norms(model):
    """Non-trivial BN scales, shifts and statistics (fresh ones fold to the identity)."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 1.5)


def main():
    out, size = sys.argv[1], int(sys.argv[2])
    torch.manual_seed(18)
    model = ResNet18()
    randomise_batch_norms(model)
    model.eval()
    torch.onnx.export(model, torch.randn(1, 3, size, size), out, opset_version=17, input_names=['x'], output_names=['y'],
                      dynamic_axes={'x': {0: 'batch'}, 'y': {0: 'batch'}}, training=torch.onnx.TrainingMode.PRESERVE,
                      do_constant_folding=False)
    print(torch.__version__)


if __name__ == '__main__':
    main()
