# expected: full marks and no mistake named (float32, loss as sum / n, autograd.grad)
import torch


def train(X, y, w0, b0, *, lr, batch_size, epochs, order, **unused):
    X = torch.as_tensor(X, dtype=torch.float32)
    y = torch.as_tensor(y, dtype=torch.float32)
    params = [torch.tensor(w0, dtype=torch.float32, requires_grad=True),
              torch.tensor([float(b0)], requires_grad=True)]
    out = []
    for epoch in range(epochs):
        for idx in torch.split(torch.as_tensor(order[epoch]), batch_size):
            err = X[idx] @ params[0] + params[1] - y[idx]
            loss = (err * err).sum() / len(idx)
            grads = torch.autograd.grad(loss, params)
            with torch.no_grad():
                for p, g in zip(params, grads):
                    p -= lr * g
            out.append(loss.item())
    return torch.tensor(out)
