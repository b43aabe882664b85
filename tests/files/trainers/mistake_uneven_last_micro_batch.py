# expected: zero, diagnosis uneven_last_micro_batch (loss / k for every micro-batch)
import torch


def accumulated_gradient(X, y, w, b, micro_batches):
    X, y = torch.as_tensor(X), torch.as_tensor(y)
    w = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
    k = len(micro_batches)
    for idx in micro_batches:
        idx = torch.as_tensor(idx)
        (((X[idx] @ w + b - y[idx]) ** 2).mean() / k).backward()
    return w.grad.numpy(), float(b.grad)
