# expected: zero, diagnosis bn_biased_running_var
import numpy as np


def bn_train(batches, gamma, beta, momentum):
    rm, rv, out = np.zeros(len(gamma)), np.ones(len(gamma)), []
    for x in batches:
        mean, var = x.mean(0), x.var(0)
        y = (x - mean) / np.sqrt(var + 1e-5) * gamma + beta
        rm = (1 - momentum) * rm + momentum * mean
        rv = (1 - momentum) * rv + momentum * var  # biased: should divide by m - 1
        out.append((y, rm, rv))
    return out
