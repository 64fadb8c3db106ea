"""One run at a time per output folder, and nothing left behind however a run ends.

`guard(out)` holds `<out>/.lock` (an advisory `flock`, released by the kernel when the run's
processes are gone, so a killed run never leaves a stale lock) and starts a janitor: a tiny
process that waits for the run to say it is done. If the run dies first (SIGKILL, a crash, the
OOM killer), the janitor removes the run's temporary files (`<out>/.*.tmp`, `<out>/.cache/*.tmp`)
and only then lets the lock go. Inside the guard SIGTERM and SIGHUP raise `Interrupted`, as
Ctrl-C raises KeyboardInterrupt, so the same clean-up runs for all three.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

LOCK_NAME = ".lock"


class RunError(Exception):
    """The run cannot start or finish for a reason outside the documents: exit status 3."""

    exit_code = 3


class Interrupted(KeyboardInterrupt):
    """SIGTERM / SIGHUP, raised in the main thread like Ctrl-C's KeyboardInterrupt."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


# descriptors that worker processes inherit by fork and must close (the lock, the janitor's pipe)
INHERITED_FDS: set[int] = set()
_held: dict[str, int] = {}

_JANITOR = r"""
import glob, os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
out, data = sys.argv[1], b""
while True:
    chunk = os.read(0, 64)
    data += chunk
    if not chunk or data.endswith(b"done"):
        break
if not data.endswith(b"done"):  # the run died: its temporary files go, then the lock
    for pattern in (".*.tmp", os.path.join(".cache", "*.tmp"), os.path.join(".cache", ".*.tmp")):
        for p in glob.glob(os.path.join(glob.escape(out), pattern)):
            try:
                os.unlink(p)
            except OSError:
                pass
"""


def _open_lock(out: Path) -> int:
    if out.exists() and not out.is_dir():
        raise RunError(f"--out {out} is a file, not a folder: choose a folder for the tables")
    try:
        out.mkdir(parents=True, exist_ok=True)
        return os.open(out / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise RunError(f"cannot write to --out {out}: {exc.strerror or exc} — choose a folder you can write to") from None


def _lock(fd: int, out: Path) -> None:
    try:
        import fcntl
    except ImportError:  # no advisory locks on this platform: run unguarded
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        try:
            holder = os.pread(fd, 512, 0).decode("utf-8", "replace").strip()
        except OSError:
            holder = ""
        os.close(fd)
        raise RunError(f"another run is writing to {out} ({holder or 'pid unknown'}); wait for it to finish, "
                       "or choose another --out") from None
    os.ftruncate(fd, 0)
    info = f"pid {os.getpid()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}: {' '.join(sys.argv)[:300]}"
    os.pwrite(fd, info.encode("utf-8", "replace"), 0)


def _janitor(out: Path, lock_fd: int) -> subprocess.Popen | None:
    try:
        return subprocess.Popen([sys.executable, "-I", "-S", "-c", _JANITOR, str(out)], stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(lock_fd,),
                                start_new_session=True)  # a Ctrl-C or a kill of the run's group spares it
    except OSError:
        return None


@contextmanager
def _signals() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def raise_interrupted(signum, frame):
        raise Interrupted(signum)

    previous = {}
    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None and signal.getsignal(sig) in (signal.SIG_DFL, None):
            previous[sig] = signal.signal(sig, raise_interrupted)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextmanager
def guard(out: Path) -> Iterator[None]:
    """Hold `out` for this run (re-entrant within a process). Raises RunError when `out` cannot be
    written or another run holds it."""
    key = os.path.abspath(out)
    if key in _held:
        yield
        return
    fd = _open_lock(out)
    _lock(fd, out)
    janitor = _janitor(out, fd)
    _held[key] = fd
    INHERITED_FDS.add(fd)
    if janitor is not None and janitor.stdin is not None:
        INHERITED_FDS.add(janitor.stdin.fileno())
    try:
        with _signals():
            yield
    finally:
        if janitor is not None and janitor.stdin is not None:
            INHERITED_FDS.discard(janitor.stdin.fileno())
            try:
                janitor.stdin.write(b"done")
                janitor.stdin.close()
                janitor.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                janitor.kill()
        INHERITED_FDS.discard(fd)
        del _held[key]
        os.close(fd)  # releases the lock
