#!/usr/bin/python3
"""Export small PyTorch models to ONNX for nabla's importer tests (test/fixtures/onnx/).

Run with Debian's python3-torch and python3-onnx: /usr/bin/python3 scripts/make-onnx-fixtures.py
With `--large DIR` (needs python3-torchvision) it also writes torchvision's ResNet-18, MobileNetV3-small
and a small ViT at random init to DIR (tens of MB, not committed); test/io/onnx/onnx-large.test.ts
checks them when NABLA_ONNX_LARGE=DIR is set.
Weights come from fixed seeds, so the files are reproducible for one torch version. The oracle in
the tests is onnxruntime on the same files; manifest.json lists, per model, the input shapes to
test with (two per model where a dimension is dynamic, so shape subgraphs must fold per shape).
"""
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'onnx')
OPSET = 17


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(6, 16)
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x):
        return F.softmax(self.fc2(torch.relu(self.fc1(x))), dim=-1)


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.pool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.bn2 = nn.BatchNorm2d(8)  # after a pool, so the exporter cannot fold it into a conv
        self.conv2 = nn.Conv2d(8, 8, 3, stride=2, dilation=2, padding=2, groups=2)
        self.pool2 = nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
        self.dw = nn.Conv2d(8, 8, 3, padding=1, groups=8, bias=False)
        self.up = nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1)
        self.fc = nn.Linear(4, 5)

    def forward(self, x):
        x = self.bn2(self.pool1(torch.relu(self.bn1(self.conv1(x)))))
        x = F.hardswish(self.conv2(x))
        x = self.pool2(x) + F.avg_pool2d(x, 2, stride=1, padding=1, ceil_mode=True)[:, :, :-1, :-1]
        x = F.relu6(self.dw(x))
        x = self.up(x)
        a = F.adaptive_avg_pool2d(x, 1).flatten(1)
        b = F.adaptive_max_pool2d(x, 1).flatten(1)
        return self.fc(a + b)


class ManyOps(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln = nn.LayerNorm(8)
        self.w = nn.Parameter(torch.randn(8, 8))

    def forward(self, x):  # x: [batch, 4, 8]
        y = self.ln(x)
        y = torch.sigmoid(y) + F.hardsigmoid(y) - torch.tanh(y) * F.gelu(y)
        y = y + F.leaky_relu(x, 0.1) + torch.clamp(x, -0.5, 0.5) + torch.abs(x).sqrt() + torch.exp(-x.abs())
        y = y + torch.log(x.abs() + 1) / 2 + torch.pow(x, 2) - torch.erf(x)
        z = torch.einsum('bij,jk->bik', y, self.w)
        z = z.transpose(1, 2)  # [b, 8, 4]
        a, b = torch.split(z, [3, 5], dim=1)
        c = torch.cat([b, a], dim=1)[:, 1:7:2, :]  # [b, 3, 4]
        c = c.flatten(1).unsqueeze(1).expand(-1, 2, -1).flatten(1)  # [b, 24]
        c = c.repeat(1, 2)  # [b, 48]
        c = F.pad(c, (1, 2), mode='constant', value=0.5)  # [b, 51]
        idx = torch.tensor([0, 5, 50, 7])
        g = c[:, idx]
        m = torch.where(c > 0.3, c, torch.zeros_like(c) - 1)
        m = m + (c < -0.2).float() + (c == 0.5).float()
        r = torch.arange(0, c.shape[1], dtype=torch.float32) / 10
        s = m + r + torch.cumsum(c, dim=1)
        top, _ = torch.topk(s, 3, dim=1)
        am = torch.argmax(s, dim=1, keepdim=True).float()
        red = s.mean(dim=1, keepdim=True) + s.sum(dim=1, keepdim=True) / 50 + s.amax(dim=1, keepdim=True) - s.amin(dim=1, keepdim=True)
        out = torch.cat([F.log_softmax(s, dim=1), top, am, red, g], dim=1)
        return out, torch.full_like(x[:, :, :2], 0.25) * y.shape[1]


class Resize(nn.Module):
    def forward(self, x):
        a = F.interpolate(x, scale_factor=2, mode='nearest')
        b = F.interpolate(x, scale_factor=2, mode='bilinear', align_corners=False)
        c = F.interpolate(x, size=(5, 7), mode='bilinear', align_corners=True)
        return a + b, c


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, batch_first=True)

    def forward(self, x):
        return self.layer(x)


class Rnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(5, 8, batch_first=True)
        self.gru = nn.GRU(8, 6, batch_first=True)

    def forward(self, x):
        y, _ = self.lstm(x)
        z, h = self.gru(y)
        return z, h


class MoreOps(nn.Module):
    """Conv variants, padding modes and activations the other fixtures do not reach."""
    def __init__(self):
        super().__init__()
        self.up = nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, groups=2)
        self.conv1d = nn.Conv1d(6, 4, 3, padding=2, dilation=2)
        self.norm = nn.InstanceNorm2d(6, affine=True)
        self.prelu = nn.PReLU(6)
        self.gru = nn.GRU(4, 3, batch_first=True, bidirectional=True)

    def forward(self, x):  # x: [n, 4, 5, 6]
        y = self.prelu(self.norm(self.up(x)))  # [n, 6, 9, 11]
        y = F.pad(y, (1, 2, 2, 1), mode='reflect') + F.pad(y, (1, 2, 2, 1), mode='replicate')
        y = F.avg_pool2d(y, 3, stride=2, padding=1, count_include_pad=True, ceil_mode=True)
        y = F.elu(y) + F.selu(y) + F.softplus(y) - F.softsign(y) + torch.minimum(y, y.flip(3)) * 0.1
        seq = y.mean(2)  # [n, 6, w]
        z = F.max_pool1d(self.conv1d(seq), 2, ceil_mode=True)  # [n, 4, w']
        out, h = self.gru(z.transpose(1, 2))
        return out, h, F.interpolate(y, scale_factor=(1.5, 0.5), mode='nearest')


class Volume(nn.Module):
    """3-D convolutions (NCDHW): ConvTranspose3d with stride 2 and output_padding, groups, dilation."""
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv3d(3, 4, 3, padding=1, stride=(1, 2, 1))
        self.up = nn.ConvTranspose3d(4, 4, 3, stride=2, padding=1, output_padding=1)
        self.grouped = nn.ConvTranspose3d(4, 6, (2, 3, 2), stride=(1, 2, 2), groups=2)
        self.dilated = nn.ConvTranspose3d(6, 2, 2, dilation=(2, 1, 2), padding=(1, 0, 1), bias=False)

    def forward(self, x):  # x: [n, 3, d, h, w]
        y = F.max_pool3d(torch.relu(self.conv(x)), 2, stride=1)
        y = torch.tanh(self.up(y))
        y = self.grouped(y) + 0.5
        return self.dilated(F.avg_pool3d(y, 2, stride=2, ceil_mode=True))


def export(name, model, inputs, names, outputs, dynamic, shapes):
    model.eval()
    path = os.path.join(OUT, name + '.onnx')
    torch.onnx.export(model, inputs, path, opset_version=OPSET, input_names=names, output_names=outputs,
                      dynamic_axes=dynamic, do_constant_folding=False)
    return {'file': name + '.onnx', 'inputs': names, 'shapes': shapes}


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    manifest = []
    manifest.append(export('mlp', Mlp(), (torch.randn(2, 6),), ['x'], ['probs'],
                           {'x': {0: 'batch'}}, [[[2, 6]], [[5, 6]]]))
    cnn = Cnn()
    with torch.no_grad():  # BatchNorm statistics that are not the identity
        cnn.bn1.running_mean.uniform_(-0.5, 0.5)
        cnn.bn1.running_var.uniform_(0.5, 2)
        cnn.bn2.running_mean.uniform_(-0.5, 0.5)
        cnn.bn2.running_var.uniform_(0.5, 2)
        cnn.bn2.weight.uniform_(0.5, 1.5)
        cnn.bn2.bias.uniform_(-0.5, 0.5)
    manifest.append(export('cnn', cnn, (torch.randn(2, 3, 16, 16),), ['image'], ['logits'],
                           {'image': {0: 'n', 2: 'h', 3: 'w'}}, [[[2, 3, 16, 16]], [[1, 3, 13, 11]]]))
    manifest.append(export('many-ops', ManyOps(), (torch.randn(2, 4, 8),), ['x'], ['y', 'filled'],
                           {'x': {0: 'batch'}}, [[[2, 4, 8]], [[3, 4, 8]]]))
    manifest.append(export('resize', Resize(), (torch.randn(1, 2, 3, 4),), ['x'], ['up', 'fixed'],
                           None, [[[1, 2, 3, 4]]]))
    manifest.append(export('encoder', Encoder(), (torch.randn(2, 5, 16),), ['tokens'], ['encoded'],
                           {'tokens': {0: 'batch', 1: 'seq'}}, [[[2, 5, 16]], [[1, 7, 16]]]))
    manifest.append(export('rnn', Rnn(), (torch.randn(2, 4, 5),), ['seq'], ['out', 'h'],
                           {'seq': {0: 'batch', 1: 'time'}}, [[[2, 4, 5]], [[3, 6, 5]]]))
    more = MoreOps()
    with torch.no_grad():
        more.norm.weight.uniform_(0.5, 1.5)
        more.norm.bias.uniform_(-0.5, 0.5)
        more.prelu.weight.uniform_(0.05, 0.3)
    manifest.append(export('more-ops', more, (torch.randn(2, 4, 5, 6),), ['x'], ['seq', 'state', 'resized'],
                           {'x': {0: 'n', 3: 'w'}}, [[[2, 4, 5, 6]], [[1, 4, 5, 9]]]))
    manifest.append(export('volume', Volume(), (torch.randn(2, 3, 4, 6, 5),), ['x'], ['y'],
                           {'x': {0: 'n', 3: 'h'}}, [[[2, 3, 4, 6, 5]], [[1, 3, 4, 8, 5]]]))
    with open(os.path.join(OUT, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1)
        f.write('\n')


def export_large(out):
    import torchvision
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    mobilenet = torchvision.models.mobilenet_v3_small()
    vit = torchvision.models.VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=2, hidden_dim=32,
                                               mlp_dim=64, num_classes=10)
    with torch.no_grad():
        # torchvision zero-initialises these heads (outputs ~0 would compare trivially): randomise them,
        # and give BatchNorm statistics that are not the identity.
        for mod in list(mobilenet.classifier) + [vit.heads.head]:
            if isinstance(mod, nn.Linear):
                mod.weight.normal_(0, 0.3)
                mod.bias.normal_(0, 0.3)
        for mod in mobilenet.modules():
            if isinstance(mod, nn.BatchNorm2d):
                mod.running_mean.uniform_(-0.2, 0.2)
                mod.running_var.uniform_(0.5, 1.5)
                mod.weight.uniform_(0.8, 1.5)
    models = [('resnet18', torchvision.models.resnet18(), [2, 3, 64, 64]), ('mobilenet-v3-small', mobilenet, [2, 3, 64, 64]),
              ('vit-small', vit, [2, 3, 32, 32])]
    manifest = []
    for name, model, shape in models:
        model.eval()
        torch.onnx.export(model, torch.randn(*shape), os.path.join(out, name + '.onnx'), opset_version=OPSET, input_names=['x'],
                          output_names=['y'], dynamic_axes={'x': {0: 'n'}})
        manifest.append({'file': name + '.onnx', 'inputs': ['x'], 'shapes': [[shape]]})
    with open(os.path.join(out, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1)


if __name__ == '__main__':
    main()
    if len(sys.argv) == 3 and sys.argv[1] == '--large':
        export_large(sys.argv[2])
