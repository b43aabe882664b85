"""What the sandbox's namespaces and uid switch hold back, checked from the outside.

Each test runs real student-like code in a real sandbox child and then looks at the host:
the file that must survive, the file that must not appear, the server that must see no
connection, the processes that must be gone. Without root the kernel grants only part of
this (SECURITY.md); those tests skip and say why.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import socket
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.inside import containment, isolation
from grader.sandbox.execution import SandboxLimits
from grader.sandbox.pool import Sandbox

ROOT = Path(__file__).resolve().parents[2]
LIMITS = SandboxLimits(cell_timeout=10, total_timeout=30, memory_mb=1024)


@pytest.fixture(scope="module")
def course() -> Iterator[Path]:
    """A course directory outside /tmp (all of /tmp is private to the child anyway)."""
    path = ROOT / f".isolation-course-{uuid.uuid4().hex}"
    (path / "source").mkdir(parents=True)
    (path / "source" / "hidden_tests.txt").write_text("assert answer == 42")
    yield path
    shutil.rmtree(path)


@pytest.fixture(scope="module")
def sandbox(course: Path) -> Iterator[Sandbox]:
    with Sandbox(workers=1, limits=LIMITS, hide=[course]) as sb:
        yield sb


def kernel_grants(flags: int) -> bool:
    """Whether a plain forked child may unshare these namespaces (a container without
    CAP_SYS_ADMIN refuses); asked without any of gdgrade's code."""
    pid = os.fork()
    if pid == 0:
        os._exit(0 if ctypes.CDLL(None, use_errno=True).unshare(flags) == 0 else 1)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0


MOUNT_AND_NET = isolation.CLONE_NEWNS | isolation.CLONE_NEWNET
USER_AND_NET = isolation.CLONE_NEWUSER | isolation.CLONE_NEWNET


@pytest.fixture
def root_only(sandbox: Sandbox) -> Sandbox:
    if os.geteuid() != 0:
        pytest.skip("the uid switch needs root (see SECURITY.md)")
    return sandbox


@pytest.fixture
def as_root(root_only: Sandbox) -> Sandbox:
    if not kernel_grants(MOUNT_AND_NET):
        pytest.skip("this kernel or container refuses mount/network namespaces to root")
    closed = [p for p in root_only.containment.problems if p.startswith(containment.UNREADABLE)]
    if root_only.containment.uid is None and closed:
        pytest.skip(f"this checkout is closed to other users: {closed[0]}")
    return root_only


def run(sandbox: Sandbox, *cells: str) -> list[str]:
    """Each cell's text output (stdout and the error message)."""
    record = sandbox.run(list(cells), [])
    texts = []
    for cell in record.cells:
        parts = [o.get("text") or f"{o.get('ename')}: {o.get('evalue')}" for o in cell.outputs]
        texts.append("".join(parts))
    return texts


def test_root_gets_namespaces_and_its_own_uid(as_root: Sandbox) -> None:
    c = as_root.containment
    assert c.on and c.namespaces and c.uid is not None, c.problems
    line = as_root.describe_containment()
    for fact in ("read-only file system", "private /tmp", "no network", "unprivileged uid"):
        assert fact in line


def test_files_outside_scratch_cannot_change(as_root: Sandbox) -> None:
    victim = ROOT / f".isolation-victim-{uuid.uuid4().hex}"
    planted = ROOT / "grader" / f"planted_{uuid.uuid4().hex}.py"
    victim.write_text("keep me")
    try:
        out = run(
            as_root,
            f"import os\nos.remove({str(victim)!r})",
            f"open({str(victim)!r}, 'w').write('changed')",
            f"open({str(planted)!r}, 'w').write('import os')",
            "open('/etc/gdgrade-planted', 'w').write('x')",
            "open('in_scratch.txt', 'w').write('fine')\nprint('scratch ok')",
        )
        assert victim.read_text() == "keep me"
        assert not planted.exists() and not Path("/etc/gdgrade-planted").exists()
        assert all("Read-only file system" in text for text in out[:4]), out
        assert out[4] == "scratch ok\n"
    finally:
        victim.unlink(missing_ok=True)
        planted.unlink(missing_ok=True)


def test_tmp_is_private_to_each_notebook(as_root: Sandbox) -> None:
    name = f"/tmp/gdgrade-isolation-{uuid.uuid4().hex}"
    assert run(as_root, f"open({name!r}, 'w').write('x')\nprint('written')") == ["written\n"]
    assert not Path(name).exists()
    out = run(as_root, f"import os\nprint(os.path.exists({name!r}))")
    assert out == ["False\n"]


def test_instructor_directories_are_empty(as_root: Sandbox, course: Path) -> None:
    out = run(
        as_root,
        "import os, grader.inside.probes\n"
        "repo = os.path.dirname(os.path.dirname(os.path.dirname(grader.inside.probes.__file__)))\n"
        "print(os.listdir(os.path.join(repo, 'reference')))",
        f"print(os.listdir({str(course)!r}))",
        "print(os.listdir('/root'))",
    )
    assert out[0] == "[]\n" and out[1] == "[]\n"
    assert "assignments" not in out[2] and out[2].count(",") <= 1  # only the Python install


def test_no_connection_reaches_even_localhost(sandbox: Sandbox) -> None:
    if not kernel_grants(MOUNT_AND_NET if os.geteuid() == 0 else USER_AND_NET):
        pytest.skip("this kernel or container refuses a network namespace here")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.5)
    port = server.getsockname()[1]
    try:
        out = run(sandbox, f"import socket\nsocket.create_connection(('127.0.0.1', {port}), 2)")
        assert "Error" in out[0], out
        with pytest.raises(TimeoutError):
            server.accept()
    finally:
        server.close()


def test_fork_bomb_is_capped_and_every_process_reaped(as_root: Sandbox) -> None:
    out = run(
        as_root,
        "import os, time\n"
        "n = 0\n"
        "try:\n"
        "    while True:\n"
        "        if os.fork() == 0:\n"
        "            os.setsid()  # out of the process group the grader kills\n"
        "            time.sleep(600)\n"
        "        n += 1\n"
        "except OSError:\n"
        "    print(n)",
    )
    assert 0 < int(out[0]) < containment.NPROC_LIMIT
    assert not containment.live_processes(as_root.containment.uid)


def test_isolation_can_be_turned_off() -> None:
    with Sandbox(workers=1, limits=LIMITS, isolate=False) as sb:
        assert not sb.containment.on and sb.containment.uid is None
        assert sb.containment.problems == ["turned off (GDGRADE_ISOLATE=0)"]
        assert "resource limits only" in sb.describe_containment()
        assert run(sb, "import os\nprint(os.getuid() == os.geteuid())") == ["True\n"]


def test_uid_alone_needs_a_python_others_can_read(root_only: Sandbox) -> None:
    # the level a root worker falls back to where namespaces are refused (Docker's default)
    uid = containment.UID_BASE + 1
    if isolation.blocked_ancestor(sys.base_prefix):  # e.g. /root/.pyenv under /root (0700)
        with pytest.raises(OSError, match=f"^{containment.UNREADABLE} .* /root is mode"):
            containment._dry_run(uid, False)
    else:
        facts = containment._dry_run(uid, False)
        assert facts == [
            "an unprivileged uid of its own",
            f"at most {containment.NPROC_LIMIT} processes",
        ]


@pytest.mark.parametrize("inside", [True, False], ids=["clone-in-mktemp", "mktemp-is-clone"])
def test_a_checkout_in_a_closed_temp_directory_stays_readable(
    as_root: Sandbox, inside: bool
) -> None:
    # `git clone . "$(mktemp -d)/x"` or `git clone . "$(mktemp -d)"` put the grader and its
    # venv under (or in) a 0700 directory in /tmp; the child's uid must still read them
    outer = Path(tempfile.mkdtemp(prefix="gdgrade-0700-"))
    tree = outer / "clone" if inside else outer
    tree.mkdir(mode=0o755, exist_ok=True)
    (tree / "module.py").write_text("x = 1\n")
    (tree / "pkg").mkdir()
    (tree / "pkg" / "data.txt").write_text("y = 2\n")
    (tree / "alias.py").symlink_to("module.py")
    scratch = tempfile.mkdtemp(prefix="gdgrade-scratch-")
    uid = containment.UID_BASE + 7
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        try:
            isolation.isolate(scratch, str(tree), [])
            os.setgid(uid)
            os.setuid(uid)
            names = ("module.py", "pkg/data.txt", "alias.py")
            answer = "".join((tree / name).read_text() for name in names)
        except BaseException as err:
            answer = f"{type(err).__name__}: {err}"
        os.write(write_fd, answer.encode())
        os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd) as fh:
        answer = fh.read()
    os.waitpid(pid, 0)
    shutil.rmtree(outer)
    shutil.rmtree(scratch)
    assert answer == "x = 1\ny = 2\nx = 1\n"


def test_a_closed_checkout_is_reported_with_its_fix() -> None:
    # a checkout at mode 0700 cannot be read by the child's uid; the worker says which
    # directory and how to open it, and the tests that need the uid skip on that report
    outer = Path(tempfile.mkdtemp(prefix="gdgrade-closed-"))
    (outer / "pkg").mkdir()
    target = outer / "pkg" / "module.py"
    target.write_text("x = 1\n")
    try:
        message = containment.unreadable(str(target), 4242)
    finally:
        shutil.rmtree(outer)
    head = f"{containment.UNREADABLE} {target} (uid 4242): {outer} is mode 0o700"
    assert message.startswith(head)
    assert f"chmod o+rx {outer}" in message
