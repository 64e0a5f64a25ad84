#!/usr/bin/python3
"""Export a small PyTorch ResNet (residual-block.onnx): torchvision's ResNet-18 layout at toy sizes.

A conv+BN+relu stem, a 3x3/2 max pool padded by 1, one basic block with an identity shortcut and one
with a strided 1x1 conv+BN projection, adaptive average pool, flatten and a Linear (Gemm), channels
first, BatchNormalization nodes kept (TrainingMode.PRESERVE from eval mode, as in
make-onnx-bn-fixture.py). nabla's compiled predict must run the residual add + relu channels last,
between the channels-last convs, with no transpose left but the input's
(test/io/onnx/onnx-resnet-predict.test.ts). Fixed seed; BN statistics randomised.
Run: /usr/bin/python3 scripts/make-onnx-resnet-fixture.py
"""
import os
import sys

import torch
import torch.nn as nn

# The basic block and the BN randomisation are bench/resnet18_torch.py's (one definition of each).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'bench'))
from resnet18_torch import Block, randomise_batch_norms  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'onnx', 'residual-block.onnx')


class TinyResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(3, 2, 1)
        self.block1 = Block(8, 8, 1)
        self.block2 = Block(8, 16, 2)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.bn1(self.conv1(x))))
        x = self.block2(self.block1(x))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def main():
    torch.manual_seed(23)
    model = TinyResNet()
    randomise_batch_norms(model)
    model.eval()
    torch.onnx.export(model, torch.randn(2, 3, 16, 16), OUT, opset_version=17, input_names=['image'], output_names=['logits'],
                      dynamic_axes={'image': {0: 'batch'}, 'logits': {0: 'batch'}}, training=torch.onnx.TrainingMode.PRESERVE,
                      do_constant_folding=False)


if __name__ == '__main__':
    main()
