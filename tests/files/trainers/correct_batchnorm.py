# expected: full marks (torch.nn.BatchNorm1d in training mode, float64)
import torch


def bn_train(batches, gamma, beta, momentum):
    bn = torch.nn.BatchNorm1d(len(gamma), momentum=momentum).double()
    with torch.no_grad():
        bn.weight.copy_(torch.as_tensor(gamma))
        bn.bias.copy_(torch.as_tensor(beta))
    bn.train()
    out = []
    for x in batches:
        y = bn(torch.as_tensor(x)).detach()
        out.append((y, bn.running_mean.clone(), bn.running_var.clone()))
    return out
