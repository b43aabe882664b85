# expected: full marks (explicit loop, torch autograd + torch.optim.SGD, indexing by the order)
import torch


def train(X, y, w0, b0, *, lr, batch_size, epochs, order, momentum=0.0, weight_decay=0.0):
    X, y = torch.as_tensor(X), torch.as_tensor(y)
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(float(b0), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=lr, momentum=momentum, weight_decay=weight_decay)
    losses = []
    for epoch in range(epochs):
        perm = torch.as_tensor(order[epoch])
        for start in range(0, len(perm), batch_size):
            idx = perm[start : start + batch_size]
            opt.zero_grad()
            loss = ((X[idx] @ w + b - y[idx]) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return losses
