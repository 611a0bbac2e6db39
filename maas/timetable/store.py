"""Save and memory-map compiled timetables: one .npy per array plus ``timetable.json``."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from maas.errors import MaasError
from maas.timetable.compile import SCHEMA_VERSION, Timetable

META_FILE = "timetable.json"
ARRAY_DIR = "arrays"


def save_timetable(tt: Timetable, folder: str | os.PathLike) -> None:
    """Write the timetable atomically (a reader never sees a half-written network)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".arrays-", dir=folder))
    for name, arr in tt.arrays.items():
        np.save(tmp / f"{name}.npy", np.ascontiguousarray(arr), allow_pickle=False)
    final = folder / ARRAY_DIR
    old = folder / ".arrays-old"
    if final.exists():
        if old.exists():
            shutil.rmtree(old)
        final.rename(old)
    tmp.rename(final)
    if old.exists():
        shutil.rmtree(old)
    meta = dict(tt.meta, arrays=sorted(tt.arrays))
    (folder / (META_FILE + ".tmp")).write_text(json.dumps(meta, indent=1, ensure_ascii=False))
    os.replace(folder / (META_FILE + ".tmp"), folder / META_FILE)


def read_meta(folder: str | os.PathLike) -> dict | None:
    """The metadata of a saved timetable, or None when there is none (or it is unreadable)."""
    p = Path(folder) / META_FILE
    try:
        return json.loads(p.read_text())
    except (OSError, ValueError):
        return None


def load_timetable(folder: str | os.PathLike, mmap: bool = True) -> Timetable:
    """Load a saved timetable; numeric arrays are memory-mapped (read-only)."""
    folder = Path(folder)
    meta = read_meta(folder)
    if meta is None:
        if (folder / META_FILE).is_file():
            raise MaasError(f"{folder / META_FILE}: unreadable or corrupt; rebuild the network with `maas build`")
        raise MaasError(f"{folder}: not a network folder (no {META_FILE}); build one with `maas build`")
    if not isinstance(meta, dict):
        raise MaasError(f"{folder / META_FILE}: not a network description; rebuild with `maas build`")
    if meta.get("schema") != SCHEMA_VERSION:
        raise MaasError(f"{folder}: built by another maas version (schema {meta.get('schema')}, "
                        f"expected {SCHEMA_VERSION}); rebuild it with `maas build`")
    arrays = {}
    for name in meta.get("arrays", ()):
        path = folder / ARRAY_DIR / f"{name}.npy"
        try:
            arr = np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise MaasError(f"{path}: cannot be read ({exc}); rebuild the network with `maas build`") from None
        # np.asarray drops the np.memmap subclass (its Python-level __getitem__ is slow) but
        # keeps the mapping; strings are copied into memory, they are small.
        arrays[name] = np.array(arr) if arr.dtype.kind == "U" else np.asarray(arr)
    meta = {k: v for k, v in meta.items() if k != "arrays"}
    return Timetable(arrays=arrays, meta=meta)
