# expected: zero, diagnosis loss_broadcast (nn.Linear's (B, 1) output against (B,) targets)
import torch
import torch.nn.functional as F


def train(X, y, w0, b0, *, lr, batch_size, epochs, order, momentum=0.0, weight_decay=0.0):
    X, y = torch.as_tensor(X), torch.as_tensor(y)
    model = torch.nn.Linear(X.shape[1], 1).double()
    with torch.no_grad():
        model.weight[0] = torch.as_tensor(w0)
        model.bias.fill_(float(b0))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    history = []
    for epoch in range(epochs):
        perm = torch.as_tensor(order[epoch])
        for i in range(0, len(perm), batch_size):
            idx = perm[i : i + batch_size]
            opt.zero_grad()
            loss = F.mse_loss(model(X[idx]), y[idx])  # (B, 1) vs (B,)
            loss.backward()
            opt.step()
            history.append(loss.item())
    return history
