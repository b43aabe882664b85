# expected: full marks (StepLR through torch's scheduler, the notes' rule by formula)
import math

import torch


def steplr_rates(lr0, gamma, step_size, n):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr0)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=step_size, gamma=gamma)
    rates = []
    for _ in range(n):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return rates


def notes_rates(lr0, drop, every, n):
    return [lr0 * drop ** math.floor((1 + k) / every) for k in range(n)]
