# expect: 15 | requires grad
import numpy as np
import torch


def update(w, grad, lr):
    return torch.tensor(w - lr * np.asarray(grad), requires_grad=True)
