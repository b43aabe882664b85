"""minibatch_in_action students, written from the released notebook only."""

from make_corpus import Student, variant

PLOT = """...
accs = batch_size_sweep(X_iris, y_iris, [5, 15, 50, 150], epochs=20, lr=0.01, seed=0)
plt.plot(list(accs), list(accs.values()), "o-")
plt.xscale("log")
plt.xlabel("batch size")
plt.ylabel("final training accuracy")
plt.show()
"""

# ---------------------------------------------------------------- correct: manual slicing
SLICING = Student(
    "correct_manual_slicing",
    style="slices of order[e], nn.CrossEntropyLoss, DataLoader only where asked",
    cells={
        "loader": '''
def loader_batch_sizes(n, batch_size, drop_last):
    """Sizes of the batches of DataLoader(range(n), batch_size, drop_last)."""
    loader = DataLoader(range(n), batch_size=batch_size, drop_last=drop_last)
    return [len(batch) for batch in loader]
''',
        "train": '''
def train_iris(X, y, *, lr, batch_size, epochs, order, seed):
    """Mini-batch SGD on Iris in the given order; returns per-batch losses."""
    model = make_model(seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    losses = []
    for e in range(epochs):
        idx_e = order[e]
        for start in range(0, len(idx_e), batch_size):
            idx = idx_e[start:start + batch_size]
            opt.zero_grad()
            loss = loss_fn(model(X[idx]), y[idx])
            losses.append(loss.item())
            loss.backward()
            opt.step()
    return losses
''',
        "sorted": '''
import numpy as np


def batch_class_counts(y, batch_size, order):
    """Samples of each class in each batch read from order, [[n0, n1, n2], ...]."""
    counts = []
    for start in range(0, len(order), batch_size):
        labels = y[order[start:start + batch_size]]
        counts.append([int((labels == c).sum()) for c in range(3)])
    return counts
''',
        "sweep": '''
def batch_size_sweep(X, y, batch_sizes, *, epochs, lr, seed):
    """Final training accuracy for each batch size."""
    results = {}
    for B in batch_sizes:
        model = make_model(seed)
        opt = torch.optim.SGD(model.parameters(), lr=lr)
        loader = DataLoader(TensorDataset(X, y), batch_size=B, shuffle=True)
        for _ in range(epochs):
            for xb, yb in loader:
                opt.zero_grad()
                torch.nn.functional.cross_entropy(model(xb), yb).backward()
                opt.step()
        with torch.no_grad():
            acc = (model(X).argmax(dim=1) == y).float().mean().item()
        results[B] = acc
    return results
''',
        "plot": PLOT,
    },
)

# ---------------------------------------------------------------- correct: DataLoader per epoch
LOADER = Student(
    "correct_dataloader_sampler",
    style="DataLoader with order[e] as the sampler, helper train_epoch, accuracy helper",
    cells={
        "loader": '''
def loader_batch_sizes(n, batch_size, drop_last):
    """Sizes of the batches of DataLoader(range(n), batch_size, drop_last)."""
    ds = TensorDataset(torch.arange(n))
    sizes = []
    for (batch,) in DataLoader(ds, batch_size=batch_size, drop_last=drop_last):
        sizes.append(batch.shape[0])
    return sizes


print(loader_batch_sizes(150, 32, False), loader_batch_sizes(150, 32, True))
''',
        "train": '''
def train_epoch(model, opt, loader, losses):
    for xb, yb in loader:
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(xb), yb)
        losses.append(float(loss))
        loss.backward()
        opt.step()


def train_iris(X, y, *, lr, batch_size, epochs, order, seed):
    """Mini-batch SGD on Iris in the given order; returns per-batch losses."""
    model = make_model(seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    data = TensorDataset(X, y)
    losses = []
    for e in range(epochs):
        loader = DataLoader(data, batch_size=batch_size, sampler=list(order[e]))
        train_epoch(model, opt, loader, losses)
    return losses
''',
        "sorted": '''
import numpy as np


def batch_class_counts(y, batch_size, order):
    """Samples of each class in each batch read from order, [[n0, n1, n2], ...]."""
    labels = torch.as_tensor(y)[torch.as_tensor(order)]
    return [torch.bincount(chunk, minlength=3).tolist() for chunk in labels.split(batch_size)]


print(batch_class_counts(y_iris, 32, np.arange(150)))
''',
        "sweep": '''
def accuracy(model, X, y):
    model.eval()
    with torch.no_grad():
        pred = model(X).argmax(1)
    model.train()
    return (pred == y).sum().item() / len(y)


def batch_size_sweep(X, y, batch_sizes, *, epochs, lr, seed):
    """Final training accuracy for each batch size."""
    out = {}
    for bs in batch_sizes:
        model = make_model(seed)
        opt = torch.optim.SGD(model.parameters(), lr=lr)
        loader = DataLoader(TensorDataset(X, y), batch_size=bs, shuffle=True)
        for _ in range(epochs):
            train_epoch(model, opt, loader, [])
        out[bs] = accuracy(model, X, y)
        print(f"B={bs}: accuracy {out[bs]:.3f}")
    return out
''',
        "plot": PLOT,
    },
)

# ---------------------------------------------------------------- correct: tensor split
SPLIT = Student(
    "correct_tensor_split",
    style="torch.as_tensor(order[e]).split(B), functional loss, zero_grad(set_to_none)",
    cells={
        "loader": '''
def loader_batch_sizes(n, batch_size, drop_last):
    """Sizes of the batches of DataLoader(range(n), batch_size, drop_last)."""
    return [b.numel() for b in DataLoader(list(range(n)), batch_size, drop_last=drop_last)]
''',
        "train": '''
import torch.nn.functional as F


def train_iris(X, y, *, lr, batch_size, epochs, order, seed):
    """Mini-batch SGD on Iris in the given order; returns per-batch losses."""
    model = make_model(seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history = []
    for epoch in range(epochs):
        for idx in torch.as_tensor(order[epoch]).split(batch_size):
            logits = model(X[idx])
            loss = F.cross_entropy(logits, y[idx])
            history.append(loss.item())
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    return history
''',
        "sorted": '''
import numpy as np


def batch_class_counts(y, batch_size, order):
    """Samples of each class in each batch read from order, [[n0, n1, n2], ...]."""
    y_np = np.asarray(y)
    order = np.asarray(order)
    n_batches = -(-len(order) // batch_size)
    table = np.zeros((n_batches, 3), dtype=int)
    for i in range(n_batches):
        chunk = y_np[order[i * batch_size:(i + 1) * batch_size]]
        table[i] = np.bincount(chunk, minlength=3)
    return table
''',
        "sweep": '''
def batch_size_sweep(X, y, batch_sizes, *, epochs, lr, seed):
    """Final training accuracy for each batch size."""
    accs = {}
    for batch_size in batch_sizes:
        model = make_model(seed)
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True)
        for epoch in range(epochs):
            for xb, yb in loader:
                loss = F.cross_entropy(model(xb), yb)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
        correct = (model(X).argmax(-1) == y).sum()
        accs[batch_size] = float(correct) / X.shape[0]
    return accs
''',
        "plot": PLOT,
    },
)

# ---------------------------------------------------------------- correct: lists and prints
LISTS = Student(
    "correct_lists_prints",
    style="order[e] turned into a Python list, list-of-lists counts, prints of progress",
    cells={
        "loader": '''
def loader_batch_sizes(n, batch_size, drop_last):
    """Sizes of the batches of DataLoader(range(n), batch_size, drop_last)."""
    loader = DataLoader(range(n), batch_size=batch_size, shuffle=False, drop_last=drop_last)
    sizes = list(map(len, loader))
    print(f"n={n}, B={batch_size}, drop_last={drop_last}: {sizes}")
    return sizes
''',
        "train": '''
def train_iris(X, y, *, lr, batch_size, epochs, order, seed):
    """Mini-batch SGD on Iris in the given order; returns per-batch losses."""
    model = make_model(seed)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    criterion = torch.nn.CrossEntropyLoss(reduction="mean")
    all_losses = []
    for e in range(epochs):
        ids = [int(i) for i in order[e]]
        batches = [ids[k:k + batch_size] for k in range(0, len(ids), batch_size)]
        for b in batches:
            out = model(X[b])
            loss = criterion(out, y[b])
            all_losses.append(loss.item())
            opt.zero_grad()
            loss.backward()
            opt.step()
        print(f"epoch {e}: last batch loss {all_losses[-1]:.4f}")
    return all_losses
''',
        "sorted": '''
import numpy as np


def batch_class_counts(y, batch_size, order):
    """Samples of each class in each batch read from order, [[n0, n1, n2], ...]."""
    ids = [int(i) for i in order]
    result = []
    for k in range(0, len(ids), batch_size):
        row = [0, 0, 0]
        for i in ids[k:k + batch_size]:
            row[int(y[i])] += 1
        result.append(row)
    return result


for name, o in [("sorted", np.arange(150)), ("shuffled", np.random.permutation(150))]:
    print(name, batch_class_counts(y_iris, 25, o))
''',
        "sweep": '''
def batch_size_sweep(X, y, batch_sizes, *, epochs, lr, seed):
    """Final training accuracy for each batch size."""
    result = {}
    for B in batch_sizes:
        model = make_model(seed)
        opt = torch.optim.SGD(model.parameters(), lr=lr)
        criterion = torch.nn.CrossEntropyLoss()
        loader = DataLoader(TensorDataset(X, y), batch_size=B, shuffle=True)
        for e in range(epochs):
            for xb, yb in loader:
                opt.zero_grad()
                criterion(model(xb), yb).backward()
                opt.step()
        with torch.no_grad():
            predictions = model(X).argmax(dim=1).tolist()
        hits = sum(int(p == t) for p, t in zip(predictions, y.tolist()))
        result[B] = hits / len(predictions)
        print(B, result[B])
    return result
''',
        "plot": PLOT,
    },
)

# ---------------------------------------------------------------- correct: Subset loaders
SUBSET = Student(
    "correct_subset_generator",
    style="DataLoader over a Subset in order[e]; sweep loader with a seeded torch.Generator",
    cells={
        "loader": '''
from torch.utils.data import Subset


def loader_batch_sizes(n, batch_size, drop_last):
    """Sizes of the batches of DataLoader(range(n), batch_size, drop_last)."""
    dl = DataLoader(TensorDataset(torch.zeros(n, 1)), batch_size=batch_size,
                    drop_last=drop_last)
    return [int(xb.shape[0]) for (xb,) in dl]
''',
        "train": '''
def train_iris(X, y, *, lr, batch_size, epochs, order, seed):
    """Mini-batch SGD on Iris in the given order; returns per-batch losses."""
    net = make_model(seed)
    sgd = torch.optim.SGD(net.parameters(), lr=lr)
    full = TensorDataset(X, y)
    losses = []
    for e in range(epochs):
        epoch_data = Subset(full, torch.as_tensor(order[e]).tolist())
        for xb, yb in DataLoader(epoch_data, batch_size=batch_size, shuffle=False):
            sgd.zero_grad()
            batch_loss = torch.nn.CrossEntropyLoss()(net(xb), yb)
            losses.append(batch_loss.detach().item())
            batch_loss.backward()
            sgd.step()
    return losses
''',
        "sorted": '''
import numpy as np


def batch_class_counts(y, batch_size, order):
    """Samples of each class in each batch read from order, [[n0, n1, n2], ...]."""
    labels = np.asarray(y)[np.asarray(order)]
    one_hot = np.eye(3, dtype=int)[labels]
    return [one_hot[s:s + batch_size].sum(axis=0).tolist() for s in range(0, len(labels),
                                                                            batch_size)]
''',
        "sweep": '''
def batch_size_sweep(X, y, batch_sizes, *, epochs, lr, seed):
    """Final training accuracy for each batch size."""
    def run(B):
        net = make_model(seed)
        sgd = torch.optim.SGD(net.parameters(), lr=lr)
        gen = torch.Generator().manual_seed(seed)
        dl = DataLoader(TensorDataset(X, y), batch_size=B, shuffle=True, generator=gen)
        for _ in range(epochs):
            for xb, yb in dl:
                sgd.zero_grad()
                torch.nn.CrossEntropyLoss()(net(xb), yb).backward()
                sgd.step()
        with torch.no_grad():
            return (net(X).argmax(1) == y).double().mean().item()

    return {B: run(B) for B in batch_sizes}
''',
        "plot": PLOT,
    },
)

NUMPY_EARLY = Student(
    "correct_numpy_before_section_3",
    style="NumPy from the given cell in section 1 already (np.diff of batch boundaries)",
    cells={
        **SLICING.cells,
        "loader": '''
def loader_batch_sizes(n, batch_size, drop_last):
    """Sizes of the batches of DataLoader(range(n), batch_size=..., drop_last=...)."""
    loader = DataLoader(range(n), batch_size=batch_size, drop_last=drop_last)
    ends = np.cumsum([len(batch) for batch in loader])
    return np.diff(np.concatenate([[0], ends])).tolist()
''',
    },
)

CORRECT = [SLICING, LOADER, SPLIT, LISTS, SUBSET, NUMPY_EARLY]

MISTAKES = [
    variant(
        SLICING,
        "mistake_loader_ignores_short_batch",
        "batch sizes computed as [batch_size] * len(loader): the short last batch is full-size",
        ["test_loader"],
        loader='''
def loader_batch_sizes(n, batch_size, drop_last):
    """Sizes of the batches of DataLoader(range(n), batch_size, drop_last)."""
    loader = DataLoader(range(n), batch_size=batch_size, drop_last=drop_last)
    return [batch_size] * len(loader)
''',
    ),
    variant(
        SLICING,
        "mistake_train_no_zero_grad",
        "optimizer.zero_grad() never called: gradients accumulate over batches",
        ["test_train_public", "test_train"],
        train='''
def train_iris(X, y, *, lr, batch_size, epochs, order, seed):
    """Mini-batch SGD on Iris in the given order; returns per-batch losses."""
    model = make_model(seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    losses = []
    for e in range(epochs):
        idx_e = order[e]
        for start in range(0, len(idx_e), batch_size):
            idx = idx_e[start:start + batch_size]
            loss = loss_fn(model(X[idx]), y[idx])
            losses.append(loss.item())
            loss.backward()
            opt.step()
    return losses
''',
    ),
    variant(
        LOADER,
        "mistake_train_drop_last",
        "per-epoch DataLoader built with drop_last=True: the short last batch is skipped",
        ["test_train_public", "test_train"],
        train='''
def train_epoch(model, opt, loader, losses):
    for xb, yb in loader:
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(xb), yb)
        losses.append(float(loss))
        loss.backward()
        opt.step()


def train_iris(X, y, *, lr, batch_size, epochs, order, seed):
    """Mini-batch SGD on Iris in the given order; returns per-batch losses."""
    model = make_model(seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    data = TensorDataset(X, y)
    losses = []
    for e in range(epochs):
        loader = DataLoader(data, batch_size=batch_size, sampler=list(order[e]),
                            drop_last=True)
        train_epoch(model, opt, loader, losses)
    return losses
''',
    ),
    variant(
        SPLIT,
        "mistake_train_reduction_sum",
        "cross-entropy with reduction='sum' (loss and step scale with the batch size)",
        ["test_train_public", "test_train"],
        train='''
import torch.nn.functional as F


def train_iris(X, y, *, lr, batch_size, epochs, order, seed):
    """Mini-batch SGD on Iris in the given order; returns per-batch losses."""
    model = make_model(seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history = []
    for epoch in range(epochs):
        for idx in torch.as_tensor(order[epoch]).split(batch_size):
            logits = model(X[idx])
            loss = F.cross_entropy(logits, y[idx], reduction="sum")
            history.append(loss.item())
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    return history
''',
    ),
    variant(
        LISTS,
        "mistake_train_first_order_every_epoch",
        "every epoch reads order[0] (the order is not renewed per epoch)",
        ["test_train_public", "test_train"],
        train='''
def train_iris(X, y, *, lr, batch_size, epochs, order, seed):
    """Mini-batch SGD on Iris in the given order; returns per-batch losses."""
    model = make_model(seed)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    criterion = torch.nn.CrossEntropyLoss(reduction="mean")
    all_losses = []
    ids = [int(i) for i in order[0]]
    batches = [ids[k:k + batch_size] for k in range(0, len(ids), batch_size)]
    for e in range(epochs):
        for b in batches:
            out = model(X[b])
            loss = criterion(out, y[b])
            all_losses.append(loss.item())
            opt.zero_grad()
            loss.backward()
            opt.step()
        print(f"epoch {e}: last batch loss {all_losses[-1]:.4f}")
    return all_losses
''',
    ),
    variant(
        SUBSET,
        "mistake_counts_drop_short_batch",
        "class counts only for full batches: the short last batch is left out",
        ["test_sorted"],
        sorted='''
import numpy as np


def batch_class_counts(y, batch_size, order):
    """Samples of each class in each batch read from order, [[n0, n1, n2], ...]."""
    labels = np.asarray(y)[np.asarray(order)]
    one_hot = np.eye(3, dtype=int)[labels]
    n_full = len(labels) // batch_size
    return [one_hot[i * batch_size:(i + 1) * batch_size].sum(axis=0).tolist()
            for i in range(n_full)]
''',
    ),
    variant(
        SLICING,
        "mistake_sweep_percentage",
        "accuracy returned as a percentage (0-100) instead of a fraction",
        ["test_sweep"],
        sweep='''
def batch_size_sweep(X, y, batch_sizes, *, epochs, lr, seed):
    """Final training accuracy for each batch size."""
    results = {}
    for B in batch_sizes:
        model = make_model(seed)
        opt = torch.optim.SGD(model.parameters(), lr=lr)
        loader = DataLoader(TensorDataset(X, y), batch_size=B, shuffle=True)
        for _ in range(epochs):
            for xb, yb in loader:
                opt.zero_grad()
                torch.nn.functional.cross_entropy(model(xb), yb).backward()
                opt.step()
        with torch.no_grad():
            acc = (model(X).argmax(dim=1) == y).float().mean().item()
        results[B] = 100 * acc
    return results
''',
    ),
    variant(
        SPLIT,
        "mistake_sweep_one_model",
        "one model trained on across all batch sizes (make_model called once)",
        ["test_sweep"],
        sweep='''
def batch_size_sweep(X, y, batch_sizes, *, epochs, lr, seed):
    """Final training accuracy for each batch size."""
    accs = {}
    model = make_model(seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for batch_size in batch_sizes:
        loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True)
        for epoch in range(epochs):
            for xb, yb in loader:
                loss = F.cross_entropy(model(xb), yb)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
        correct = (model(X).argmax(-1) == y).sum()
        accs[batch_size] = float(correct) / X.shape[0]
    return accs
''',
    ),
    variant(
        LOADER,
        "mistake_sweep_no_shuffle",
        "sweep DataLoader without shuffle=True: the class-sorted Iris rows are read in order",
        ["test_sweep"],
        sweep='''
def accuracy(model, X, y):
    model.eval()
    with torch.no_grad():
        pred = model(X).argmax(1)
    model.train()
    return (pred == y).sum().item() / len(y)


def batch_size_sweep(X, y, batch_sizes, *, epochs, lr, seed):
    """Final training accuracy for each batch size."""
    out = {}
    for bs in batch_sizes:
        model = make_model(seed)
        opt = torch.optim.SGD(model.parameters(), lr=lr)
        loader = DataLoader(TensorDataset(X, y), batch_size=bs)
        for _ in range(epochs):
            train_epoch(model, opt, loader, [])
        out[bs] = accuracy(model, X, y)
        print(f"B={bs}: accuracy {out[bs]:.3f}")
    return out
''',
    ),
    # ---- written the other way a student could read the text before it said so
    variant(
        LISTS,
        "mistake_loader_positional_drop_last",
        "DataLoader(range(n), batch_size, drop_last) copied from the docstring: drop_last "
        "lands on shuffle, so the short last batch is never dropped",
        ["test_loader"],
        loader='''
def loader_batch_sizes(n, batch_size, drop_last):
    """Sizes of the batches of DataLoader(range(n), batch_size, drop_last)."""
    return [len(batch) for batch in DataLoader(range(n), batch_size, drop_last)]
''',
    ),
    variant(
        SLICING,
        "mistake_sweep_running_accuracy",
        "final training accuracy read as the running accuracy of the last epoch, counted "
        "batch by batch while the model still trains",
        ["test_sweep"],
        sweep='''
def batch_size_sweep(X, y, batch_sizes, *, epochs, lr, seed):
    """Final training accuracy for each batch size."""
    results = {}
    for B in batch_sizes:
        model = make_model(seed)
        opt = torch.optim.SGD(model.parameters(), lr=lr)
        loader = DataLoader(TensorDataset(X, y), batch_size=B, shuffle=True)
        for _ in range(epochs):
            hits = 0
            for xb, yb in loader:
                opt.zero_grad()
                logits = model(xb)
                hits += (logits.argmax(dim=1) == yb).sum().item()
                torch.nn.functional.cross_entropy(logits, yb).backward()
                opt.step()
        results[B] = hits / len(y)
    return results
''',
    ),
    variant(
        SPLIT,
        "mistake_sweep_lr_scaled",
        "the notes' linear scaling rule: lr multiplied by batch_size / 32 for each batch size",
        ["test_sweep"],
        sweep='''
def batch_size_sweep(X, y, batch_sizes, *, epochs, lr, seed):
    """Final training accuracy for each batch size."""
    accs = {}
    for batch_size in batch_sizes:
        model = make_model(seed)
        optimizer = torch.optim.SGD(model.parameters(), lr=lr * batch_size / 32)
        loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True)
        for epoch in range(epochs):
            for xb, yb in loader:
                loss = F.cross_entropy(model(xb), yb)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
        correct = (model(X).argmax(-1) == y).sum()
        accs[batch_size] = float(correct) / X.shape[0]
    return accs
''',
    ),
]

STUDENTS = CORRECT + MISTAKES
