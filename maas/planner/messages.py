"""The ``messages`` entries of a plan: a stable machine-readable code and a sentence for people."""
from __future__ import annotations


def message(code: str, text: str) -> dict:
    """One ``{"code", "text"}`` entry (codes are listed in the README's HTTP section)."""
    return {"code": code, "text": text}
