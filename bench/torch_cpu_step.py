"""PyTorch reference for SupCon Lab's training step, run beside it on the same machine.

Same encoders as the product (convnet: four 3x3 conv-BN-ReLU 32/32s2/64/64s2 + GAP;
resnet18 in the CIFAR form), same projection head (Linear d,d; ReLU; Linear d,128;
L2 norm), SupCon L_out as in HobbitLong/SupContrast, SGD momentum 0.9, fp32, inputs
28x28x1 with 2 views. Prints one JSON line: images/s (images, not views).
usage: python3 torch_cpu_step.py ENCODER BATCH [--device cpu|cuda] [--threads N] [--steps N] [--warmup N]
       python3 torch_cpu_step.py --gemm     fp32 GEMM rate of this machine (numpy), GFLOP/s
"""
import argparse
import json
import time


def gemm_gflops(n=2048, runs=5):
    import numpy as np
    a = np.random.rand(n, n).astype(np.float32)
    b = np.random.rand(n, n).astype(np.float32)
    a @ b
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - t0)
    return 2 * n ** 3 / sorted(times)[len(times) // 2] / 1e9


def step_rate(encoder, batch, device, threads, steps, warmup, views=2, side=28):
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    if threads:
        torch.set_num_threads(threads)

    def cbr(cin, cout, s):
        return nn.Sequential(nn.Conv2d(cin, cout, 3, s, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))

    class ConvNet(nn.Module):
        dim = 64

        def __init__(self):
            super().__init__()
            self.f = nn.Sequential(cbr(1, 32, 1), cbr(32, 32, 2), cbr(32, 64, 1), cbr(64, 64, 2))

        def forward(self, x):
            return self.f(x).mean((2, 3))

    class Basic(nn.Module):
        def __init__(self, cin, cout, s):
            super().__init__()
            self.c1 = nn.Conv2d(cin, cout, 3, s, 1, bias=False)
            self.b1 = nn.BatchNorm2d(cout)
            self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.b2 = nn.BatchNorm2d(cout)
            self.sc = nn.Sequential()
            if s != 1 or cin != cout:
                self.sc = nn.Sequential(nn.Conv2d(cin, cout, 1, s, bias=False), nn.BatchNorm2d(cout))

        def forward(self, x):
            o = F.relu(self.b1(self.c1(x)))
            return F.relu(self.b2(self.c2(o)) + self.sc(x))

    class ResNet18(nn.Module):
        dim = 512

        def __init__(self):
            super().__init__()
            self.stem = cbr(1, 64, 1)
            layers, cin = [], 64
            for stage, n in enumerate([2, 2, 2, 2]):
                w = 64 << stage
                for b in range(n):
                    layers.append(Basic(cin, w, 2 if (b == 0 and stage > 0) else 1))
                    cin = w
            self.layers = nn.Sequential(*layers)

        def forward(self, x):
            return self.layers(self.stem(x)).mean((2, 3))

    def supcon(z, labels, T=0.1, base_T=0.07):
        # z: [bsz, views, d], L2-normalised; L_out, contrast_mode 'all'
        v = z.shape[1]
        feats = torch.cat(torch.unbind(z, 1), 0)
        logits = feats @ feats.T / T
        logits = logits - logits.max(1, keepdim=True)[0].detach()
        n = feats.shape[0]
        mask = (labels[:, None] == labels[None, :]).float().repeat(v, v)
        lm = 1 - torch.eye(n, device=z.device)
        mask = mask * lm
        log_prob = logits - torch.log((torch.exp(logits) * lm).sum(1, keepdim=True))
        per = (mask * log_prob).sum(1) / mask.sum(1).clamp_min(1)
        return -(T / base_T) * per.mean()

    torch.manual_seed(0)
    enc = (ConvNet if encoder == 'convnet' else ResNet18)().to(device)
    d = enc.dim
    head = nn.Sequential(nn.Linear(d, d), nn.ReLU(inplace=True), nn.Linear(d, 128)).to(device)
    opt = torch.optim.SGD(list(enc.parameters()) + list(head.parameters()), lr=0.05, momentum=0.9, weight_decay=1e-4)
    x = torch.rand(batch * views, 1, side, side, device=device)
    y = torch.arange(batch, device=device) % 10
    sync = torch.cuda.synchronize if device == 'cuda' else (lambda: None)

    def step():
        z = F.normalize(head(enc(x)), dim=1)
        loss = supcon(torch.stack(torch.chunk(z, views, 0), 1), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    for _ in range(warmup):
        step()
    sync()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        sync()
        times.append(time.perf_counter() - t0)
    median = sorted(times)[len(times) // 2]
    return dict(encoder=encoder, batch=batch, device=device, threads=torch.get_num_threads(), seconds=median, imagesPerSec=batch / median)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('encoder', nargs='?', choices=['convnet', 'resnet18'])
    p.add_argument('batch', nargs='?', type=int)
    p.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    p.add_argument('--threads', type=int, default=0, help='intra-op threads (0: PyTorch default, every core)')
    p.add_argument('--steps', type=int, default=5)
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--gemm', action='store_true')
    a = p.parse_args()
    if a.gemm:
        print(json.dumps(dict(gemmGflops=gemm_gflops())), flush=True)
        return
    if not a.encoder or not a.batch:
        p.error('ENCODER and BATCH are required without --gemm')
    print(json.dumps(step_rate(a.encoder, a.batch, a.device, a.threads, a.steps, a.warmup)), flush=True)


if __name__ == '__main__':
    main()
