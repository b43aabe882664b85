# expected: zero, diagnosis step_once_per_epoch
import torch


def train(X, y, w0, b0, *, lr, batch_size, epochs, order, momentum=0.0, weight_decay=0.0):
    X, y = torch.as_tensor(X), torch.as_tensor(y)
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(float(b0), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=lr)
    losses = []
    for epoch in range(epochs):
        opt.zero_grad()
        perm = order[epoch]
        for i in range(0, len(perm), batch_size):
            idx = torch.as_tensor(perm[i : i + batch_size])
            loss = ((X[idx] @ w + b - y[idx]) ** 2).mean()
            loss.backward()
            losses.append(loss.item())
        opt.step()
    return losses
