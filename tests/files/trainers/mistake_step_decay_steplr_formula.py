# expected: zero, diagnosis step_decay_steplr_formula (StepLR's rule where the notes' is asked)
def notes_rates(lr0, drop, every, n):
    return [lr0 * drop ** (k // every) for k in range(n)]
