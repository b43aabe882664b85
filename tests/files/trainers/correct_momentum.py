# expected: full marks (torch.optim.SGD with momentum and dampening on the quadratic)
import torch


def momentum_iterates(scales, x0, *, lr, momentum, dampening, steps):
    scales = torch.as_tensor(scales, dtype=torch.float64)
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([x], lr=lr, momentum=momentum, dampening=dampening)
    out = [x.detach().clone()]
    for _ in range(steps):
        opt.zero_grad()
        (0.5 * scales * x**2).sum().backward()
        opt.step()
        out.append(x.detach().clone())
    return torch.stack(out)
