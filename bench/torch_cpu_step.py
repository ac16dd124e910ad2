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

    from torch_step import ConvNet, ResNet18, supcon  # the same encoders, head input and loss as the GPU anchor

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
