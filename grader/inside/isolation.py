"""Linux namespaces for a sandbox child: no network, a read-only file system, hidden paths.

``isolate`` runs in the forked child before student code. As root it gives the child its
own mount and network namespaces:

* every mount is remounted read-only, except the scratch directory and fresh private tmpfs
  mounts on /tmp, /var/tmp and /dev/shm (what a notebook writes there vanishes with it);
* the instructor's files that student code could copy from (the oracles, the course with
  its hidden tests) are covered by empty read-only mounts;
* a directory others cannot enter (``/root`` when Python lives in ``/root/.pyenv``, or the
  checkout itself at mode 0700) is replaced by a tmpfs holding only what the child needs
  (the Python installation; the checkout's entries), so the child can then drop to an
  unprivileged uid and still import the standard library;
* the network namespace is empty: no interface is up, so every connection fails.

Without root it asks for a user namespace and gets the empty network only. The kernel
does the work; this module only issues the calls (``unshare``, ``mount``, ``open_tree``,
``move_mount``) through libc.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Iterable

CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWNET = 0x00020000, 0x10000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_NOATIME, MS_NODIRATIME, MS_BIND = 32, 1024, 2048, 4096
MS_REC, MS_PRIVATE, MS_RELATIME = 16384, 1 << 18, 1 << 21
SYS_OPEN_TREE, SYS_MOVE_MOUNT = 428, 429  # the same numbers on every architecture
OPEN_TREE_CLONE, AT_RECURSIVE, AT_FDCWD = 1, 0x8000, -100
MOVE_MOUNT_F_EMPTY_PATH, MNT_DETACH = 4, 2
PRIVATE_TMP = ("/tmp", "/var/tmp", "/dev/shm")
"""Replaced by an empty, writable tmpfs of TMP_SIZE that only this child sees."""
TMP_SIZE = "64m"
OPTION_FLAGS = {
    "nosuid": MS_NOSUID,
    "nodev": MS_NODEV,
    "noexec": MS_NOEXEC,
    "noatime": MS_NOATIME,
    "nodiratime": MS_NODIRATIME,
    "relatime": MS_RELATIME,
}

_libc = ctypes.CDLL(None, use_errno=True)


class IsolationError(OSError):
    """A namespace or mount call failed; the message names the call and the path."""


def _check(result: int, what: str) -> int:
    if result < 0:
        err = ctypes.get_errno()
        raise IsolationError(err, f"{what}: {os.strerror(err)}")
    return result


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    enc = [None if s is None else s.encode() for s in (source, target, fstype, data)]
    _check(_libc.mount(enc[0], enc[1], enc[2], ctypes.c_ulong(flags), enc[3]), f"mount {target}")


def _clone_tree(path: str) -> int:
    """A detached copy of the mount tree at ``path``, as a file descriptor."""
    flags = OPEN_TREE_CLONE | AT_RECURSIVE | os.O_CLOEXEC
    return _check(_libc.syscall(SYS_OPEN_TREE, AT_FDCWD, path.encode(), flags), f"clone {path}")


def _attach(fd: int, target: str) -> None:
    move = _libc.syscall(
        SYS_MOVE_MOUNT, fd, b"", AT_FDCWD, target.encode(), MOVE_MOUNT_F_EMPTY_PATH
    )
    os.close(fd)
    _check(move, f"attach {target}")


def mounts() -> list[tuple[str, int]]:
    """(mount point, per-mount flags) of this namespace, parents first."""
    found = []
    with open("/proc/self/mountinfo") as fh:
        for line in fh:
            fields = line.split()
            point = fields[4].encode().decode("unicode_escape")
            flags = sum(OPTION_FLAGS.get(opt, 0) for opt in fields[5].split(","))
            found.append((point, flags))
    return found


def blocked_ancestor(path: str) -> str | None:
    """The first directory above ``path`` that others cannot enter (/root at 0700)."""
    current = "/"
    for part in os.path.realpath(path).split(os.sep)[1:-1]:
        current = os.path.join(current, part)
        if os.path.isdir(current) and not os.stat(current).st_mode & 0o001:
            return current
    return None


def _under(path: str, top: str) -> bool:
    return path == top or path.startswith(top + os.sep)


def needed_paths(root: str) -> list[str]:
    """What the child must still read: the Python it runs and the grader's own package."""
    paths = [sys.base_prefix, sys.prefix, os.path.dirname(os.path.realpath(sys.executable))]
    found = {os.path.realpath(p) for p in [*paths, *sys.path, root] if p and os.path.exists(p)}
    return [p for p in found if not any(p.startswith(q + os.sep) for q in found)]


def isolate(scratch: str, root: str, hide: Iterable[str] = ()) -> list[str]:
    """Confine this process (see the module docstring); returns what is enforced.

    ``root``: the grader's source tree, kept readable; ``hide``: directories to cover."""
    if os.geteuid() != 0:
        uid, gid = os.geteuid(), os.getegid()
        _check(_libc.unshare(CLONE_NEWUSER | CLONE_NEWNET), "unshare")
        for name, text in [
            ("setgroups", "deny"),
            ("uid_map", f"{uid} {uid} 1"),
            ("gid_map", f"{gid} {gid} 1"),
        ]:  # keep our own ids
            with open(f"/proc/self/{name}", "w") as fh:
                fh.write(text)
        return ["no network"]
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWNET), "unshare")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    existing = mounts()
    for point, flags in existing:
        try:
            _mount(None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY | flags)
        except IsolationError:
            if point == "/":
                raise
            # gone or odd since the table was read: take it out of this namespace instead
            _check(_libc.umount2(point.encode(), MNT_DETACH), f"detach {point}")
    scratch = os.path.realpath(scratch)
    needed = needed_paths(root)
    tops = [d for d in PRIVATE_TMP if os.path.isdir(d)]
    blocked = {b for p in needed if (b := blocked_ancestor(p))}
    # a blocked directory inside a private tmpfs is rebuilt there, enterable (mode 711)
    tops += sorted(b for b in blocked if not any(_under(b, top) for top in tops))
    keep = {top: [p for p in [*needed, scratch] if p.startswith(top + os.sep)] for top in tops}
    for path in needed:  # a needed directory closed to others (a clone into `mktemp -d`)
        if os.path.isdir(path) and os.stat(path).st_mode & 0o005 != 0o005:
            keep[path] = [os.path.join(path, entry) for entry in sorted(os.listdir(path))]
    links = {p: os.readlink(p) for paths in keep.values() for p in paths if os.path.islink(p)}
    files = {p for paths in keep.values() for p in paths if os.path.isfile(p)} - set(links)
    clones = {p: _clone_tree(p) for paths in keep.values() for p in paths if p not in links}
    for top, paths in keep.items():  # parents first: a closed needed path comes last
        private = top in PRIVATE_TMP
        options = f"size={TMP_SIZE},mode=1777" if private else "size=1m,mode=755"
        _mount("gdgrade", top, "tmpfs", MS_NOSUID | MS_NODEV, options)
        for path in paths:
            if path in links:
                os.symlink(links[path], path)
                continue
            os.makedirs(os.path.dirname(path) if path in files else path, mode=0o711, exist_ok=True)
            if path in files:
                open(path, "a").close()  # a mount point for the file's clone
            _attach(clones.pop(path), path)
        if not private:
            _mount(None, top, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    if not any(scratch in paths for paths in keep.values()):
        _mount(scratch, scratch, None, MS_BIND)
    _mount(None, scratch, None, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV)
    hidden = [p for p in hide if os.path.isdir(p)]
    for path in hidden:
        _mount("gdgrade", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k,mode=755")
    return [
        f"read-only file system outside the scratch directory ({len(existing)} mounts)",
        "private " + ", ".join(d for d in PRIVATE_TMP if d in keep),
        f"{len(hidden)} instructor directories hidden",
        "no network",
    ]
