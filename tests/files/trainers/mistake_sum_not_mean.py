# expected: zero, diagnosis sum_not_mean
import torch


def train(X, y, w0, b0, *, lr, batch_size, epochs, order, **unused):
    X, y = torch.as_tensor(X), torch.as_tensor(y)
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(float(b0), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=lr)
    losses = []
    for epoch in range(epochs):
        for idx in torch.split(torch.as_tensor(order[epoch]), batch_size):
            opt.zero_grad()
            sq = (X[idx] @ w + b - y[idx]) ** 2
            sq.sum().backward()
            opt.step()
            losses.append(sq.mean().item())
    return losses
