# expected: zero, diagnosis bn_running_stats_in_training
import numpy as np


def bn_train(batches, gamma, beta, momentum):
    rm, rv, out = np.zeros(len(gamma)), np.ones(len(gamma)), []
    for x in batches:
        y = (x - rm) / np.sqrt(rv + 1e-5) * gamma + beta  # eval statistics in training
        rm = (1 - momentum) * rm + momentum * x.mean(0)
        rv = (1 - momentum) * rv + momentum * x.var(0, ddof=1)
        out.append((y, rm, rv))
    return out
