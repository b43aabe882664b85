"""Assignment 1, gd_basics: the update rule, stability, stopping rules, saddles, momentum."""

from assignments.authoring.build import answer, md, sample, test

NOTEBOOK = "gd_basics"

CELLS = [
    md(
        "intro",
        """
        # Gradient descent basics

        This notebook follows the exit ticket and mini exercise in
        `05-assessment-and-day4-plan.md` and the momentum section of
        `03-optimizers-lr-momentum-sgd.md`. You will write the update rule, watch it converge
        or blow up on f(x) = x², implement stopping rules, see GD stall at a saddle point and
        add momentum.

        Each function is checked by a test cell. Cells that say *self-check* can be run as you
        work; hidden tests run when the notebook is graded. Use NumPy only (no `torch` needed).
    """,
    ),
    md(
        "update_md",
        """
        ## 1. One step for one weight

        The gradient points in the direction in which the loss grows fastest, so a descent step
        moves the weight **against** it, scaled by the learning rate α:
        `w_new = w - α · g`. The checks call it with floats (`update(2.0, 0.5, 0.1)`) and with
        `w` and `grad` as 1-D NumPy float arrays of one shape (`lr` is always a float); return
        a float, or an array of `w`'s shape.
    """,
    ),
    answer(
        "update",
        '''
        import numpy as np


        def update(w, grad, lr):
            """Return the weight(s) after one gradient-descent step with learning rate lr."""
    ''',
        "return w - lr * np.asarray(grad)",
    ),
    test("test_update", "gd_basics.update_rule", 1, topics=("update_rule", "negative_gradient")),
    test(
        "test_update_hidden",
        "gd_basics.update_rule_vector",
        1,
        hidden=True,
        topics=("update_rule",),
    ),
    md(
        "exit_md",
        """
        ## 2. The exit-ticket exercise: f(x) = x² from x₀ = -6

        For f(x) = x² the gradient is 2x. Return the iterates x₀, x₁, …, x_steps as floats (a
        list or 1-D float array of length `steps + 1`). `x0` may be an int: the checks start
        from the integer `-6`, as written here, so convert it before you store iterates in it
        (an integer array would cut 8.4 down to 8). `lr` is a float, `steps` an int. Then try
        α = 0.5 and α = 1.2 and say in a comment of your plot cell why one converges and the
        other diverges.
    """,
    ),
    answer(
        "iterates",
        '''
        def gd_iterates(x0, lr, steps):
            """Iterates of gradient descent on f(x) = x**2, starting at x0 (steps + 1 values)."""
    ''',
        """
        xs = [float(x0)]
        for _ in range(steps):
            xs.append(xs[-1] - lr * 2 * xs[-1])
        return xs
    """,
    ),
    test("test_iterates", "gd_basics.exit_ticket", 2, topics=("stability", "update_rule")),
    test(
        "test_iterates_hidden",
        "gd_basics.exit_ticket_diverge",
        2,
        hidden=True,
        topics=("stability",),
    ),
    md(
        "stable_md",
        """
        Write `is_stable(lr, lipschitz)` (two floats, `lr >= 0`, `lipschitz > 0`; return a
        bool) from the rule in the notes: GD on an L-smooth quadratic is stable exactly when
        0 < α < 2/L, both inequalities strict (α = 0 never moves; α = 2/L oscillates for ever).
        Here L = 2.
    """,
    ),
    answer(
        "stable",
        '''
        def is_stable(lr, lipschitz):
            """True when gradient descent with this lr converges on an L-smooth quadratic."""
    ''',
        "return 0 < lr < 2 / lipschitz",
    ),
    test("test_stable", "gd_basics.stability_rule", 2, hidden=True, topics=("stability",)),
    answer(
        "plot",
        """
        # Plot the iterates for alpha = 0.5 and alpha = 1.2 (10 steps) on one figure.
        import matplotlib.pyplot as plt
    """,
        """
        for alpha in (0.5, 1.2):
            plt.plot(gd_iterates(-6, alpha, 10), marker="o", label=f"alpha = {alpha}")
        # 0.5 < 2/L = 1 lands on the minimum in one step; 1.2 > 1 overshoots further each step
        plt.xlabel("step")
        plt.ylabel("x")
        plt.legend()
        plt.show()
    """,
    ),
    md(
        "stop_md",
        """
        ## 3. Stopping rules

        Run GD on f(x) = x² from `x0` (an int or a float; the checks pass the integer `-6`)
        with learning rate `lr` and stop at the first of these, checked in this order:

        1. before a step: |f'(x)| < `grad_tol` → return `("grad_tol", steps_taken)`;
        2. after a step: if |x| or f(x) exceeds 1e12 (or is not finite) →
           `("diverged", steps_taken)`;
        3. after a step: |f(x_new) - f(x_old)| < `loss_tol` → `("loss_tol", steps_taken)`;
        4. after `max_steps` steps → `("max_steps", max_steps)`.

        The comparisons are strict: a gradient or loss change exactly equal to its tolerance
        does not stop the run (a tolerance of 0 never fires). Rule 1 is checked only before
        a step, so once the `max_steps`-th step is made the answer is `("max_steps",
        max_steps)`, however small the gradient has become. With `max_steps = 0` no step is
        made, so no rule is checked at all: return `("max_steps", 0)`, even when |f'(x0)| is
        already below `grad_tol`. Return a tuple `(str, int)`.
    """,
    ),
    answer(
        "stopping",
        '''
        import math


        def descend_until(x0, lr, grad_tol, loss_tol, max_steps):
            """Gradient descent on x**2 with the stopping rules above: (reason, steps)."""
    ''',
        """
        x = float(x0)
        for step in range(max_steps):
            if abs(2 * x) < grad_tol:
                return ("grad_tol", step)
            old, x = x * x, x - lr * 2 * x
            if not math.isfinite(x) or abs(x) > 1e12 or x * x > 1e12:
                return ("diverged", step + 1)
            if abs(x * x - old) < loss_tol:
                return ("loss_tol", step + 1)
        return ("max_steps", max_steps)
    """,
    ),
    test("test_stopping", "gd_basics.stopping_rules", 3, hidden=True, topics=("stopping_rules",)),
    md(
        "saddle_md",
        """
        ## 4. A saddle point

        f(x, y) = x² - y² has zero gradient at (0, 0), yet (0, 0) is not a minimum. Return the
        GD iterates from `p0` (a list `[x, y]` of two floats) as a float array of shape
        `(steps + 1, 2)`. Started exactly on the x axis, GD walks into the saddle and stays
        there: a flat gradient slows or stops descent, as plateaus do
        (`05-assessment-and-day4-plan.md`, exit ticket). Started a little off the axis (the
        check starts at y = 0.01), it first slows near the saddle, then the y coordinate
        grows and GD escapes downhill.
    """,
    ),
    answer(
        "saddle",
        '''
        def saddle_iterates(p0, lr, steps):
            """GD iterates on f(x, y) = x**2 - y**2 from p0, shape (steps + 1, 2)."""
    ''',
        """
        p = np.array(p0, dtype=float)
        out = [p.copy()]
        for _ in range(steps):
            p = p - lr * np.array([2 * p[0], -2 * p[1]])
            out.append(p.copy())
        return np.array(out)
    """,
    ),
    test("test_saddle", "gd_basics.saddle", 2, hidden=True, topics=("plateaus_saddles",)),
    md(
        "momentum_md",
        """
        ## 5. Momentum on an ill-conditioned quadratic

        f(x) = 0.1·x₁² + 2·x₂² has gradient (0.2·x₁, 4·x₂). Implement SGD with momentum the
        way `torch.optim.SGD` does it: the velocity buffer starts as the **first gradient**
        itself; afterwards `buf = momentum · buf + (1 - dampening) · g`; the step is
        `x = x - lr · buf`. With `momentum = 0` torch keeps no buffer and steps by the
        gradient itself, so this is plain GD whatever `dampening` is. `x0` is a list of two
        floats, the other arguments numbers; return a float array of shape `(steps + 1, 2)`.
        Compare α = 0.4 with and without momentum (`03-optimizers-lr-momentum-sgd.md`).

        **Where the notes differ.** The notes write momentum as a velocity, v ← μ·v - α·g and
        x ← x + v, with v starting at 0 and no dampening. With a constant rate and
        `dampening = 0` this walks exactly as torch's rule does (v is -α · buf at every step).
        With dampening they part ways: torch's first buffer is the undamped gradient and every
        later gradient is scaled by (1 - dampening), while the notes have no dampening at all
        and a buffer that starts at 0 damps the first gradient too. The graded run uses a
        nonzero dampening and follows torch, whose `torch.optim.SGD` the later assignments
        use.
    """,
    ),
    answer(
        "momentum",
        '''
        def momentum_iterates(x0, lr, momentum, dampening, steps):
            """Momentum GD iterates on 0.1*x1**2 + 2*x2**2, shape (steps + 1, 2)."""
    ''',
        """
        scales = np.array([0.2, 4.0])
        x, buf = np.array(x0, dtype=float), None
        out = [x.copy()]
        for _ in range(steps):
            g = scales * x
            if momentum == 0:  # no buffer: plain GD
                buf = g
            else:
                buf = g if buf is None else momentum * buf + (1 - dampening) * g
            x = x - lr * buf
            out.append(x.copy())
        return np.array(out)
    """,
    ),
    test("test_momentum_plain", "gd_basics.momentum_zero_is_gd", 1, topics=("momentum",)),
    test("test_momentum", "gd_basics.momentum", 3, hidden=True, topics=("momentum",)),
]

CORRECT_ALT = dict(
    update="""
        import numpy as np


        def update(w, grad, lr):
            step = np.multiply(lr, grad)
            return np.subtract(w, step)
    """,
    iterates="""
        def gd_iterates(x0, lr, steps):
            # closed form: each step multiplies x by (1 - 2 lr)
            return [x0 * (1 - 2 * lr) ** k for k in range(steps + 1)]
    """,
    stable="""
        def is_stable(lr, lipschitz):
            return lr > 0 and lr * lipschitz < 2
    """,
)

SAMPLES = {
    "ada_correct": sample("expected score: 17/17 (correct, written differently)", **CORRECT_ALT),
    "ben_sign_error": sample(
        "expected score: 11/17 (update goes uphill, w + lr*grad: update and exit ticket fail)",
        update="""
            import numpy as np


            def update(w, grad, lr):
                return w + lr * np.asarray(grad)
        """,
        iterates="""
            def gd_iterates(x0, lr, steps):
                xs = [float(x0)]
                for _ in range(steps):
                    xs.append(xs[-1] + lr * 2 * xs[-1])
                return xs
        """,
    ),
    "cleo_missing_factor_two": sample(
        "expected score: 13/17 (gradient of x^2 taken as x: both exit-ticket checks fail)",
        iterates="""
            def gd_iterates(x0, lr, steps):
                xs = [float(x0)]
                for _ in range(steps):
                    xs.append(xs[-1] - lr * xs[-1])
                return xs
        """,
    ),
    "dev_momentum_zero_buffer": sample(
        "expected score: 14/17 (momentum buffer starts at zero instead of the first gradient)",
        momentum="""
            def momentum_iterates(x0, lr, momentum, dampening, steps):
                scales = np.array([0.2, 4.0])
                x, buf = np.array(x0, dtype=float), np.zeros(2)
                out = [x.copy()]
                for _ in range(steps):
                    g = scales * x
                    buf = g if momentum == 0 else momentum * buf + (1 - dampening) * g
                    x = x - lr * buf
                    out.append(x.copy())
                return np.array(out)
        """,
    ),
    "eve_crash": sample(
        "expected score: 9/17 (import typo in the first cell: everything that uses np fails)",
        update="""
            import numpyy as np


            def update(w, grad, lr):
                return w - lr * np.asarray(grad)
        """,
    ),
}
