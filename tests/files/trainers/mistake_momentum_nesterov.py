# expected: zero, diagnosis momentum_nesterov
import torch


def train(X, y, w0, b0, *, lr, batch_size, epochs, order, momentum, weight_decay):
    X, y = torch.as_tensor(X), torch.as_tensor(y)
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(float(b0), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD(
        [w, b], lr=lr, momentum=momentum, weight_decay=weight_decay, nesterov=True
    )
    losses = []
    for epoch in range(epochs):
        for i in range(0, len(X), batch_size):
            idx = torch.as_tensor(order[epoch][i : i + batch_size])
            opt.zero_grad()
            loss = ((X[idx] @ w + b - y[idx]) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return losses
