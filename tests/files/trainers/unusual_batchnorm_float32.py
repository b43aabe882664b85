# expected: full marks and no mistake named (hand-written BatchNorm in float32 torch)
import torch


def bn_train(batches, gamma, beta, momentum):
    g, b = torch.tensor(gamma, dtype=torch.float32), torch.tensor(beta, dtype=torch.float32)
    rm, rv, out = torch.zeros(len(gamma)), torch.ones(len(gamma)), []
    for x in batches:
        x = torch.tensor(x, dtype=torch.float32)
        m = x.shape[0]
        mean = x.sum(0) / m
        var = ((x - mean) ** 2).sum(0) / m
        y = g * (x - mean) * torch.rsqrt(var + 1e-5) + b
        rm = (1 - momentum) * rm + momentum * mean
        rv = (1 - momentum) * rv + momentum * var * m / (m - 1)
        out.append((y, rm, rv))
    return out
