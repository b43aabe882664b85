# expected: zero, diagnosis leftover_group_dropped
import torch


def train(X, y, w0, b0, *, lr, batch_size, epochs, order, accumulation_steps):
    X, y = torch.as_tensor(X), torch.as_tensor(y)
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(float(b0), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=lr)
    losses = []
    for epoch in range(epochs):
        parts = torch.split(torch.as_tensor(order[epoch]), batch_size)
        opt.zero_grad()
        for i, idx in enumerate(parts):
            loss = ((X[idx] @ w + b - y[idx]) ** 2).mean()
            (loss / accumulation_steps).backward()
            losses.append(loss.item())
            if (i + 1) % accumulation_steps == 0:
                opt.step()
                opt.zero_grad()
    return losses
