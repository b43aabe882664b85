# expected: full marks (nn.Linear + MSELoss + DataLoader with a sampler that follows the order)
import torch
from torch.utils.data import DataLoader, Sampler, TensorDataset


class GivenOrder(Sampler):
    def __init__(self, order):
        self.order, self.epoch = order, 0

    def __iter__(self):
        yield from (int(i) for i in self.order[self.epoch])
        self.epoch += 1

    def __len__(self):
        return len(self.order[0])


def train(X, y, w0, b0, *, lr, batch_size, epochs, order, momentum=0.0, weight_decay=0.0):
    data = TensorDataset(torch.as_tensor(X), torch.as_tensor(y))
    loader = DataLoader(data, batch_size=batch_size, sampler=GivenOrder(order))
    model = torch.nn.Linear(len(w0), 1).double()
    with torch.no_grad():
        model.weight[0] = torch.as_tensor(w0)
        model.bias.fill_(float(b0))
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
    loss_fn = torch.nn.MSELoss()
    history = []
    for _ in range(epochs):
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb).squeeze(1), yb)
            loss.backward()
            opt.step()
            history.append(float(loss.detach()))
    return history
