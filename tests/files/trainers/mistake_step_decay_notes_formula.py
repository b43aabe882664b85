# expected: zero, diagnosis step_decay_notes_formula (the notes' rule where StepLR is asked)
import math


def steplr_rates(lr0, gamma, step_size, n):
    return [lr0 * gamma ** math.floor((1 + k) / step_size) for k in range(n)]
