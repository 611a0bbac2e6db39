"""Reloads that reach every worker process of ``maas serve --workers N``.

Each worker holds its own copy of the served network (memory-mapped, so cheap). A reload is
received by one of them; to bring the others along, the workers share a small *generation file*
(``reload.json`` in the runtime folder that ``maas serve`` creates, ``MAAS_RUNTIME_DIR``):

* the worker that reloaded (``POST /v1/admin/reload``, or a changed network folder with
  ``--watch``) writes ``{"generation": n + 1, "signature": ...}`` to it atomically (a new file
  renamed over the old one, under an exclusive lock so two reloads cannot take the same number);
* every worker looks at the file's stats twice a second from its background task (one ``stat``
  call; the file is read only when they changed) and, when the generation is newer than the one
  it serves, loads the folder off the request path and swaps its snapshot with one reference
  assignment. Requests in flight finish on the network they started with, so no answer mixes two.

The *signature* of a network folder is the stats of the files a build writes last
(``timetable.json``, ``mobility.json``); a worker that already serves that signature only records
the new generation. ``--watch`` compares the signature every half second and reloads once it has
stayed the same for ``SETTLE_S`` (a build in progress is not loaded half-written).
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import tempfile
import time
from pathlib import Path

logger = logging.getLogger("maas.service")

RUNTIME_ENV = "MAAS_RUNTIME_DIR"
GENERATION_FILE = "reload.json"
POLL_S = 0.5
"""How often each worker looks at the generation file (and, with ``--watch``, the folder)."""
SETTLE_S = 0.5
"""A changed network folder is reloaded once its signature has not moved for this long."""
RETRY_S = 5.0
"""A worker whose reload failed tries again after this long."""
SIGNATURE_FILES = ("timetable.json", "mobility.json")


def folder_signature(folder: str | os.PathLike | None) -> str | None:
    """Stats of the files a build writes last; None when there is no folder."""
    if folder is None:
        return None
    parts = []
    for name in SIGNATURE_FILES:
        try:
            st = os.stat(Path(folder) / name)
            parts.append(f"{name}:{st.st_ino}:{st.st_mtime_ns}:{st.st_size}")
        except OSError:
            parts.append(f"{name}:-")
    return ";".join(parts)


@dataclasses.dataclass(frozen=True)
class Generation:
    number: int
    signature: str | None
    at: float


class ReloadSync:
    """The generation file shared by the workers (a no-op without a runtime folder)."""

    def __init__(self, runtime_dir: str | os.PathLike | None):
        self.path = Path(runtime_dir) / GENERATION_FILE if runtime_dir else None
        self._stat: tuple | None = None
        self.seen = self.read().number           # what this process serves

    @classmethod
    def from_env(cls) -> "ReloadSync":
        return cls(os.environ.get(RUNTIME_ENV) or None)

    @property
    def enabled(self) -> bool:
        return self.path is not None

    def read(self) -> Generation:
        """The current generation (0 when nothing was published yet)."""
        if self.path is None:
            return Generation(0, None, 0.0)
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
            return Generation(int(doc["generation"]), doc.get("signature"), float(doc.get("at", 0.0)))
        except (OSError, ValueError, KeyError, TypeError):
            return Generation(0, None, 0.0)

    def poll(self) -> Generation | None:
        """A generation newer than :attr:`seen`, or None; costs one ``stat`` when nothing changed."""
        if self.path is None:
            return None
        try:
            st = os.stat(self.path)
            key = (st.st_ino, st.st_mtime_ns, st.st_size)
        except OSError:
            return None
        if key == self._stat:
            return None
        self._stat = key
        gen = self.read()
        return gen if gen.number > self.seen else None

    def forget(self) -> None:
        """Read the file again at the next :meth:`poll` (after a failed reload, to retry)."""
        self._stat = None

    def publish(self, signature: str | None) -> int:
        """Announce that the folder (with ``signature``) was reloaded; returns the new generation."""
        if self.path is None:
            self.seen += 1
            return self.seen
        lock = self.path.with_suffix(".lock")
        with open(lock, "a+") as fh:
            with _flock(fh):
                number = max(self.read().number, self.seen) + 1
                doc = {"generation": number, "signature": signature, "at": time.time(), "pid": os.getpid()}
                fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".reload-")
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    json.dump(doc, out)
                os.replace(tmp, self.path)
        self.seen = number
        return number


@contextlib.contextmanager
def _flock(fh):
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: the atomic rename is all there is
        yield
        return
    fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
