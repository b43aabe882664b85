"""gd_basics students, written from the released notebook only."""

from make_corpus import Student, variant

# ---------------------------------------------------------------- correct: plain loops
LOOPS = Student(
    "correct_loops",
    style="plain Python loops and lists, floats throughout",
    cells={
        "update": '''
import numpy as np


def update(w, grad, lr):
    """Return the weight(s) after one gradient-descent step with learning rate lr."""
    return w - lr * grad
''',
        "iterates": '''
def gd_iterates(x0, lr, steps):
    """Iterates of gradient descent on f(x) = x**2, starting at x0 (steps + 1 values)."""
    xs = [float(x0)]
    for _ in range(steps):
        x = xs[-1]
        xs.append(x - lr * 2 * x)
    return xs
''',
        "stable": '''
def is_stable(lr, lipschitz):
    """True when gradient descent with this lr converges on an L-smooth quadratic."""
    return 0 < lr < 2 / lipschitz
''',
        "plot": """
...
# |1 - 2 alpha| < 1 for alpha = 0.5 (converges, in one step here), 1.4 > 1 for 1.2 (diverges)

for alpha in [0.5, 1.2]:
    plt.plot(gd_iterates(-6, alpha, 10), marker="o", label=f"alpha = {alpha}")
plt.xlabel("step")
plt.ylabel("x")
plt.legend()
plt.show()
""",
        "stopping": '''
import math


def descend_until(x0, lr, grad_tol, loss_tol, max_steps):
    """Gradient descent on x**2 with the stopping rules above: (reason, steps)."""
    x = float(x0)
    steps = 0
    while steps < max_steps:
        if abs(2 * x) < grad_tol:
            return ("grad_tol", steps)
        x_new = x - lr * 2 * x
        steps += 1
        if not math.isfinite(x_new) or abs(x_new) > 1e12 or x_new**2 > 1e12:
            return ("diverged", steps)
        if abs(x_new**2 - x**2) < loss_tol:
            return ("loss_tol", steps)
        x = x_new
    return ("max_steps", max_steps)
''',
        "saddle": '''
def saddle_iterates(p0, lr, steps):
    """GD iterates on f(x, y) = x**2 - y**2 from p0, shape (steps + 1, 2)."""
    x, y = float(p0[0]), float(p0[1])
    path = [[x, y]]
    for _ in range(steps):
        gx, gy = 2 * x, -2 * y
        x, y = x - lr * gx, y - lr * gy
        path.append([x, y])
    return np.array(path)
''',
        "momentum": '''
def momentum_iterates(x0, lr, momentum, dampening, steps):
    """Momentum GD iterates on 0.1*x1**2 + 2*x2**2, shape (steps + 1, 2)."""
    x = np.array(x0, dtype=float)
    out = [x.copy()]
    buf = None
    for t in range(steps):
        g = np.array([0.2 * x[0], 4 * x[1]])
        if momentum != 0:
            if buf is None:
                buf = g.copy()
            else:
                buf = momentum * buf + (1 - dampening) * g
            g = buf
        x = x - lr * g
        out.append(x.copy())
    return np.array(out)
''',
    },
)

# ---------------------------------------------------------------- correct: vectorised
VECTOR = Student(
    "correct_vectorised",
    style="closed forms with NumPy powers, np.subtract, arrays everywhere",
    cells={
        "update": '''
import numpy as np


def update(w, grad, lr):
    """Return the weight(s) after one gradient-descent step with learning rate lr."""
    return np.subtract(w, np.multiply(lr, grad))
''',
        "iterates": '''
def gd_iterates(x0, lr, steps):
    """Iterates of gradient descent on f(x) = x**2, starting at x0 (steps + 1 values)."""
    # x_{k+1} = x_k - lr * 2 x_k = (1 - 2 lr) x_k, so x_k = (1 - 2 lr)**k x0
    k = np.arange(steps + 1)
    return x0 * (1.0 - 2.0 * lr) ** k
''',
        "stable": '''
def is_stable(lr, lipschitz):
    """True when gradient descent with this lr converges on an L-smooth quadratic."""
    upper = 2.0 / lipschitz
    return bool(lr > 0 and lr < upper)
''',
        "plot": """
...
# |1 - 2 alpha| < 1 for alpha = 0.5 (converges, in one step here), 1.4 > 1 for 1.2 (diverges)

fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(np.arange(11), gd_iterates(-6, 0.5, 10), "o-", label="0.5 (converges)")
ax.plot(np.arange(11), gd_iterates(-6, 1.2, 10), "s--", label="1.2 (diverges)")
ax.axhline(0, color="grey", lw=0.5)
ax.set_xlabel("iteration")
ax.set_ylabel("x_k")
ax.legend()
""",
        "stopping": '''
import math


def descend_until(x0, lr, grad_tol, loss_tol, max_steps):
    """Gradient descent on x**2 with the stopping rules above: (reason, steps)."""
    x = np.float64(x0)
    for k in range(max_steps):
        grad = 2.0 * x
        if np.abs(grad) < grad_tol:
            return "grad_tol", k
        old_loss = x * x
        with np.errstate(over="ignore", invalid="ignore"):
            x = x - lr * grad
            new_loss = x * x
        if not np.isfinite(x) or not np.isfinite(new_loss) or abs(x) > 1e12 or new_loss > 1e12:
            return "diverged", k + 1
        if abs(new_loss - old_loss) < loss_tol:
            return "loss_tol", k + 1
    return "max_steps", max_steps
''',
        "saddle": '''
def saddle_iterates(p0, lr, steps):
    """GD iterates on f(x, y) = x**2 - y**2 from p0, shape (steps + 1, 2)."""
    p0 = np.asarray(p0, dtype=float)
    k = np.arange(steps + 1)[:, None]
    factors = np.array([1 - 2 * lr, 1 + 2 * lr])  # x shrinks, y grows
    return p0 * factors**k
''',
        "momentum": '''
def momentum_iterates(x0, lr, momentum, dampening, steps):
    """Momentum GD iterates on 0.1*x1**2 + 2*x2**2, shape (steps + 1, 2)."""
    scale = np.array([0.2, 4.0])
    xs = np.zeros((steps + 1, 2))
    xs[0] = x0
    buf = np.zeros(2)
    for t in range(steps):
        g = scale * xs[t]
        if momentum == 0:
            direction = g
        elif t == 0:
            buf = g
            direction = buf
        else:
            buf = momentum * buf + (1 - dampening) * g
            direction = buf
        xs[t + 1] = xs[t] - lr * direction
    return xs
''',
    },
)

# ---------------------------------------------------------------- correct: helpers + prints
HELPERS = Student(
    "correct_helpers_prints",
    style="helper functions f/grad, reuse of update(), prints while working",
    cells={
        "update": '''
import numpy as np


def update(w, grad, lr):
    """Return the weight(s) after one gradient-descent step with learning rate lr."""
    step = lr * grad
    new_w = w - step
    return new_w


print(update(1.0, 2.0, 0.1))
print(update(np.array([1.0, 2.0]), np.array([0.5, -0.5]), 0.1))
''',
        "iterates": '''
def f(x):
    return x**2


def f_prime(x):
    return 2 * x


def gd_iterates(x0, lr, steps):
    """Iterates of gradient descent on f(x) = x**2, starting at x0 (steps + 1 values)."""
    x = x0 * 1.0
    history = [x]
    for i in range(steps):
        x = update(x, f_prime(x), lr)
        history.append(x)
    return np.array(history, dtype=np.float64)


print("alpha=0.5:", gd_iterates(-6, 0.5, 5))
print("alpha=1.2:", gd_iterates(-6, 1.2, 5))
''',
        "stable": '''
def is_stable(lr, lipschitz):
    """True when gradient descent with this lr converges on an L-smooth quadratic."""
    if lr <= 0:
        return False
    if lr >= 2 / lipschitz:
        return False
    return True


for a in [0.5, 1.0, 1.2]:
    print(a, is_stable(a, 2))
''',
        "plot": """
...
# |1 - 2 alpha| < 1 for alpha = 0.5 (converges, in one step here), 1.4 > 1 for 1.2 (diverges)

plt.figure()
plt.subplot(1, 2, 1)
plt.plot(gd_iterates(-6, 0.5, 10), "o-")
plt.title("alpha = 0.5")
plt.subplot(1, 2, 2)
plt.plot(gd_iterates(-6, 1.2, 10), "o-", color="red")
plt.title("alpha = 1.2")
plt.tight_layout()
plt.show()
print("0.5 < 2/L = 1 converges, 1.2 > 1 blows up")
""",
        "stopping": '''
import math


def too_big(x):
    return (not math.isfinite(x)) or abs(x) > 1e12 or (not math.isfinite(f(x))) or f(x) > 1e12


def descend_until(x0, lr, grad_tol, loss_tol, max_steps):
    """Gradient descent on x**2 with the stopping rules above: (reason, steps)."""
    x = float(x0)
    taken = 0
    for _ in range(max_steps):
        if abs(f_prime(x)) < grad_tol:
            return ("grad_tol", taken)
        old = x
        x = update(x, f_prime(x), lr)
        taken += 1
        if too_big(x):
            return ("diverged", taken)
        if abs(f(x) - f(old)) < loss_tol:
            return ("loss_tol", taken)
    return ("max_steps", max_steps)


print(descend_until(-6, 0.1, 1e-6, 1e-12, 1000))
print(descend_until(-6, 1.2, 1e-6, 1e-12, 1000))
''',
        "saddle": '''
def saddle_grad(p):
    return np.array([2 * p[0], -2 * p[1]])


def saddle_iterates(p0, lr, steps):
    """GD iterates on f(x, y) = x**2 - y**2 from p0, shape (steps + 1, 2)."""
    p = np.array(p0, dtype=float)
    out = np.empty((steps + 1, 2))
    out[0] = p
    for k in range(1, steps + 1):
        p = update(p, saddle_grad(p), lr)
        out[k] = p
    return out


print(saddle_iterates([1.0, 0.0], 0.1, 5))
''',
        "momentum": '''
def quad_grad(x):
    return np.array([0.2 * x[0], 4.0 * x[1]])


def momentum_iterates(x0, lr, momentum, dampening, steps):
    """Momentum GD iterates on 0.1*x1**2 + 2*x2**2, shape (steps + 1, 2)."""
    x = np.asarray(x0, dtype=float)
    traj = [x]
    buf = None
    for step in range(steps):
        g = quad_grad(x)
        if momentum:
            buf = g if buf is None else momentum * buf + (1 - dampening) * g
            g = buf
        x = update(x, g, lr)
        traj.append(x)
    return np.stack(traj)


print(momentum_iterates([1.0, 1.0], 0.4, 0.0, 0.0, 3))
print(momentum_iterates([1.0, 1.0], 0.4, 0.9, 0.0, 3))
''',
    },
)

# ---------------------------------------------------------------- correct: torch.optim
TORCH = Student(
    "correct_torch_optim",
    style="torch float64 tensors and torch.optim.SGD for the momentum part, NumPy returns",
    cells={
        "update": '''
import numpy as np


def update(w, grad, lr):
    """Return the weight(s) after one gradient-descent step with learning rate lr."""
    if isinstance(w, np.ndarray) or isinstance(grad, np.ndarray):
        return np.asarray(w, dtype=float) - lr * np.asarray(grad, dtype=float)
    return w - lr * grad
''',
        "iterates": '''
import torch


def gd_iterates(x0, lr, steps):
    """Iterates of gradient descent on f(x) = x**2, starting at x0 (steps + 1 values)."""
    x = torch.tensor(float(x0), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([x], lr=lr)
    values = [x.item()]
    for _ in range(steps):
        opt.zero_grad()
        loss = x**2
        loss.backward()
        opt.step()
        values.append(x.item())
    return values
''',
        "stable": '''
def is_stable(lr, lipschitz):
    """True when gradient descent with this lr converges on an L-smooth quadratic."""
    return (lr > 0) and (lr * lipschitz < 2)
''',
        "plot": """
...
# |1 - 2 alpha| < 1 for alpha = 0.5 (converges, in one step here), 1.4 > 1 for 1.2 (diverges)

steps = list(range(11))
plt.plot(steps, gd_iterates(-6, 0.5, 10), label="lr 0.5")
plt.plot(steps, gd_iterates(-6, 1.2, 10), label="lr 1.2")
plt.yscale("symlog")
plt.legend()
plt.title("GD on x^2 from -6")
plt.show()
""",
        "stopping": '''
import math


def descend_until(x0, lr, grad_tol, loss_tol, max_steps):
    """Gradient descent on x**2 with the stopping rules above: (reason, steps)."""
    x = float(x0)
    for n in range(max_steps + 1):
        if n == max_steps:
            break
        g = 2.0 * x
        if abs(g) < grad_tol:
            return "grad_tol", n
        prev_f = x * x
        x -= lr * g
        if math.isnan(x) or math.isinf(x) or abs(x) > 1e12:
            return "diverged", n + 1
        cur_f = x * x
        if cur_f > 1e12:
            return "diverged", n + 1
        if abs(cur_f - prev_f) < loss_tol:
            return "loss_tol", n + 1
    return "max_steps", max_steps
''',
        "saddle": '''
def saddle_iterates(p0, lr, steps):
    """GD iterates on f(x, y) = x**2 - y**2 from p0, shape (steps + 1, 2)."""
    p = torch.tensor(np.asarray(p0, dtype=float), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr)
    rows = [p.detach().clone()]
    for _ in range(steps):
        opt.zero_grad()
        loss = p[0] ** 2 - p[1] ** 2
        loss.backward()
        opt.step()
        rows.append(p.detach().clone())
    return torch.stack(rows).numpy()
''',
        "momentum": '''
def momentum_iterates(x0, lr, momentum, dampening, steps):
    """Momentum GD iterates on 0.1*x1**2 + 2*x2**2, shape (steps + 1, 2)."""
    x = torch.tensor(np.asarray(x0, dtype=float), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([x], lr=lr, momentum=momentum, dampening=dampening)
    rows = [x.detach().clone()]
    for _ in range(steps):
        opt.zero_grad()
        loss = 0.1 * x[0] ** 2 + 2 * x[1] ** 2
        loss.backward()
        opt.step()
        rows.append(x.detach().clone())
    return torch.stack(rows).numpy()
''',
    },
)

# ---------------------------------------------------------------- correct: preallocated arrays
ARRAYS = Student(
    "correct_preallocated",
    style="preallocated np.zeros arrays filled by index, while loops",
    cells={
        "update": '''
import numpy as np


def update(w, grad, lr):
    """Return the weight(s) after one gradient-descent step with learning rate lr."""
    w = np.array(w, dtype=float) if np.ndim(w) else float(w)
    return w - lr * np.asarray(grad, dtype=float) if np.ndim(grad) else w - lr * float(grad)
''',
        "iterates": '''
def gd_iterates(x0, lr, steps):
    """Iterates of gradient descent on f(x) = x**2, starting at x0 (steps + 1 values)."""
    xs = np.zeros(steps + 1)
    xs[0] = x0
    i = 0
    while i < steps:
        xs[i + 1] = xs[i] - lr * (2 * xs[i])
        i += 1
    return xs
''',
        "stable": '''
def is_stable(lr, lipschitz):
    """True when gradient descent with this lr converges on an L-smooth quadratic."""
    return 0.0 < lr and lr < 2.0 / lipschitz
''',
        "plot": """
...
# |1 - 2 alpha| < 1 for alpha = 0.5 (converges, in one step here), 1.4 > 1 for 1.2 (diverges)

a = gd_iterates(-6, 0.5, 10)
b = gd_iterates(-6, 1.2, 10)
plt.plot(a, label="alpha=0.5")
plt.plot(b, label="alpha=1.2")
plt.legend()
print(a[-1], b[-1])
""",
        "stopping": '''
import math


def descend_until(x0, lr, grad_tol, loss_tol, max_steps):
    """Gradient descent on x**2 with the stopping rules above: (reason, steps)."""
    x = x0
    step = 0
    while True:
        if step == max_steps:
            return ("max_steps", max_steps)
        g = 2 * x
        if abs(g) < grad_tol:
            return ("grad_tol", step)
        x_next = x - lr * g
        step += 1
        if math.isnan(x_next) or abs(x_next) > 1e12 or abs(x_next) ** 2 > 1e12:
            return ("diverged", step)
        if abs(x_next * x_next - x * x) < loss_tol:
            return ("loss_tol", step)
        x = x_next
''',
        "saddle": '''
def saddle_iterates(p0, lr, steps):
    """GD iterates on f(x, y) = x**2 - y**2 from p0, shape (steps + 1, 2)."""
    P = np.zeros((steps + 1, 2))
    P[0, :] = p0
    for k in range(steps):
        grad = np.array([2.0, -2.0]) * P[k]
        P[k + 1, :] = P[k] - lr * grad
    return P
''',
        "momentum": '''
def momentum_iterates(x0, lr, momentum, dampening, steps):
    """Momentum GD iterates on 0.1*x1**2 + 2*x2**2, shape (steps + 1, 2)."""
    X = np.zeros((steps + 1, 2))
    X[0] = x0
    v = np.zeros(2)
    for k in range(steps):
        g = np.array([0.2, 4.0]) * X[k]
        if momentum != 0.0:
            v = g if k == 0 else momentum * v + (1.0 - dampening) * g
            X[k + 1] = X[k] - lr * v
        else:
            X[k + 1] = X[k] - lr * g
    return X
''',
    },
)

CORRECT = [LOOPS, VECTOR, HELPERS, TORCH, ARRAYS]

# ---------------------------------------------------------------- single mistakes
MISTAKES = [
    variant(
        LOOPS,
        "mistake_update_sign",
        "update adds the gradient (w + lr * grad) instead of subtracting it",
        ["test_update", "test_update_hidden"],
        update='''
import numpy as np


def update(w, grad, lr):
    """Return the weight(s) after one gradient-descent step with learning rate lr."""
    return w + lr * grad
''',
    ),
    variant(
        ARRAYS,
        "mistake_integer_iterates",
        "iterates stored in np.full(steps + 1, x0): an integer array for x0 = -6 truncates",
        ["test_iterates", "test_iterates_hidden"],
        iterates='''
def gd_iterates(x0, lr, steps):
    """Iterates of gradient descent on f(x) = x**2, starting at x0 (steps + 1 values)."""
    xs = np.full(steps + 1, x0)
    for i in range(steps):
        xs[i + 1] = xs[i] - lr * 2 * xs[i]
    return xs
''',
    ),
    variant(
        LOOPS,
        "mistake_iterates_without_x0",
        "returns x_1..x_steps (steps values) and leaves out the start x_0",
        ["test_iterates", "test_iterates_hidden"],
        iterates='''
def gd_iterates(x0, lr, steps):
    """Iterates of gradient descent on f(x) = x**2, starting at x0 (steps + 1 values)."""
    xs = []
    x = float(x0)
    for _ in range(steps):
        x = x - lr * 2 * x
        xs.append(x)
    return xs
''',
    ),
    variant(
        VECTOR,
        "mistake_stable_inclusive",
        "stability bound written 0 < lr <= 2/L (non-strict at the upper end)",
        ["test_stable"],
        stable='''
def is_stable(lr, lipschitz):
    """True when gradient descent with this lr converges on an L-smooth quadratic."""
    return bool(0 < lr <= 2.0 / lipschitz)
''',
    ),
    variant(
        HELPERS,
        "mistake_stable_no_lower_bound",
        "stability checks only lr < 2/L, so lr = 0 or a negative lr counts as stable",
        ["test_stable"],
        stable='''
def is_stable(lr, lipschitz):
    """True when gradient descent with this lr converges on an L-smooth quadratic."""
    return lr < 2 / lipschitz
''',
    ),
    variant(
        LOOPS,
        "mistake_stopping_step_count",
        "diverged / loss_tol report the steps taken before the current step (one too few)",
        ["test_stopping"],
        stopping='''
import math


def descend_until(x0, lr, grad_tol, loss_tol, max_steps):
    """Gradient descent on x**2 with the stopping rules above: (reason, steps)."""
    x = float(x0)
    for k in range(max_steps):
        if abs(2 * x) < grad_tol:
            return ("grad_tol", k)
        x_new = x - lr * 2 * x
        if not math.isfinite(x_new) or abs(x_new) > 1e12 or x_new**2 > 1e12:
            return ("diverged", k)
        if abs(x_new**2 - x**2) < loss_tol:
            return ("loss_tol", k)
        x = x_new
    return ("max_steps", max_steps)
''',
    ),
    variant(
        ARRAYS,
        "mistake_saddle_y_sign",
        "saddle gradient in y taken as +2y (the bowl x^2 + y^2)",
        ["test_saddle"],
        saddle='''
def saddle_iterates(p0, lr, steps):
    """GD iterates on f(x, y) = x**2 - y**2 from p0, shape (steps + 1, 2)."""
    P = np.zeros((steps + 1, 2))
    P[0, :] = p0
    for k in range(steps):
        grad = 2.0 * P[k]
        P[k + 1, :] = P[k] - lr * grad
    return P
''',
    ),
    variant(
        LOOPS,
        "mistake_momentum_stale_buffer",
        "steps with the buffer of the previous step (x moves before the buffer is updated)",
        ["test_momentum"],
        momentum='''
def momentum_iterates(x0, lr, momentum, dampening, steps):
    """Momentum GD iterates on 0.1*x1**2 + 2*x2**2, shape (steps + 1, 2)."""
    x = np.array(x0, dtype=float)
    out = [x.copy()]
    buf = None
    for t in range(steps):
        g = np.array([0.2 * x[0], 4 * x[1]])
        if momentum != 0:
            step = buf if buf is not None else g
            buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
            g = step
        x = x - lr * g
        out.append(x.copy())
    return np.array(out)
''',
    ),
    variant(
        HELPERS,
        "mistake_momentum_damped_first",
        "dampening also applied to the first buffer (buf = (1 - dampening) * g at step 0)",
        ["test_momentum"],
        momentum='''
def quad_grad(x):
    return np.array([0.2 * x[0], 4.0 * x[1]])


def momentum_iterates(x0, lr, momentum, dampening, steps):
    """Momentum GD iterates on 0.1*x1**2 + 2*x2**2, shape (steps + 1, 2)."""
    x = np.asarray(x0, dtype=float)
    traj = [x]
    buf = np.zeros(2)
    for step in range(steps):
        g = quad_grad(x)
        if momentum:
            buf = momentum * buf + (1 - dampening) * g
            g = buf
        x = update(x, g, lr)
        traj.append(x)
    return np.stack(traj)
''',
    ),
    # issue 23: readings of the text before it said how max_steps = 0 and the notes'
    # momentum relate to what is graded
    variant(
        VECTOR,
        "mistake_stopping_gradient_before_max_steps",
        "rule 1 checked once before the loop, so max_steps = 0 with |f'(x0)| < grad_tol "
        "returns grad_tol (no step is made, so no rule applies)",
        ["test_stopping"],
        stopping='''
import math


def descend_until(x0, lr, grad_tol, loss_tol, max_steps):
    """Gradient descent on x**2 with the stopping rules above: (reason, steps)."""
    x = float(x0)
    if abs(2 * x) < grad_tol:  # already flat: nothing to do
        return ("grad_tol", 0)
    for k in range(max_steps):
        if k > 0 and abs(2 * x) < grad_tol:
            return ("grad_tol", k)
        new = x - lr * 2 * x
        if not math.isfinite(new) or max(abs(new), new * new) > 1e12:
            return ("diverged", k + 1)
        if abs(new * new - x * x) < loss_tol:
            return ("loss_tol", k + 1)
        x = new
    return ("max_steps", max_steps)
''',
    ),
    variant(
        LOOPS,
        "mistake_momentum_notes_velocity",
        "momentum as the notes write it: v = mu * v - lr * g from v = 0, x = x + v, "
        "dampening ignored",
        ["test_momentum"],
        momentum='''
def momentum_iterates(x0, lr, momentum, dampening, steps):
    """Momentum GD iterates on 0.1*x1**2 + 2*x2**2, shape (steps + 1, 2)."""
    x = np.array(x0, dtype=float)
    v = np.zeros(2)
    out = [x.copy()]
    for t in range(steps):
        g = np.array([0.2 * x[0], 4 * x[1]])
        v = momentum * v - lr * g
        x = x + v
        out.append(x.copy())
    return np.array(out)
''',
    ),
]

STUDENTS = CORRECT + MISTAKES
