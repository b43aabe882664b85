# expected: zero, diagnosis momentum_buffer_reset_each_epoch
import torch


def train(X, y, w0, b0, *, lr, batch_size, epochs, order, momentum, weight_decay):
    X, y = torch.as_tensor(X), torch.as_tensor(y)
    model = torch.nn.Linear(X.shape[1], 1).double()
    with torch.no_grad():
        model.weight[0] = torch.as_tensor(w0)
        model.bias.fill_(float(b0))
    losses = []
    for epoch in range(epochs):
        opt = torch.optim.SGD(
            model.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay
        )
        for i in range(0, len(X), batch_size):
            idx = torch.as_tensor(order[epoch][i : i + batch_size])
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(model(X[idx]).squeeze(1), y[idx])
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return losses
