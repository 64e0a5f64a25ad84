#!/usr/bin/python3
"""Export a PyTorch CNN whose BatchNormalization nodes stay in the ONNX file (conv-bn-relu.onnx).

torch.onnx.export in eval mode folds each BatchNorm2d into the Conv before it; exporting with
TrainingMode.PRESERVE from a model in eval mode keeps them as inference BatchNormalization nodes,
which is what other exporters (and PyTorch with folding off) write. nabla's compiled predict must
fold them itself (test/io/onnx/onnx-compiled-predict.test.ts). Fixed seed; running statistics
randomised so the folds are not identities.
Run: /usr/bin/python3 scripts/make-onnx-bn-fixture.py
"""
import os

import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'onnx', 'conv-bn-relu.onnx')


class ConvBnRelu(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, stride=2, padding=1)
        self.bn2 = nn.BatchNorm2d(32)
        self.conv3 = nn.Conv2d(32, 32, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(32)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = torch.relu(self.bn2(self.conv2(x)))
        x = torch.relu(self.bn3(self.conv3(x)))
        return self.fc(x.mean(dim=(2, 3)))


def main():
    torch.manual_seed(22)
    model = ConvBnRelu()
    with torch.no_grad():
        for bn in (model.bn1, model.bn2, model.bn3):
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.uniform_(-0.5, 0.5)
            bn.running_mean.uniform_(-0.5, 0.5)
            bn.running_var.uniform_(0.5, 1.5)
    model.eval()
    torch.onnx.export(model, torch.randn(2, 3, 12, 12), OUT, opset_version=17, input_names=['image'], output_names=['logits'],
                      dynamic_axes={'image': {0: 'batch'}, 'logits': {0: 'batch'}}, training=torch.onnx.TrainingMode.PRESERVE,
                      do_constant_folding=False)


if __name__ == '__main__':
    main()
