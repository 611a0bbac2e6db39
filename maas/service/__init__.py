"""The HTTP service (FastAPI, ``/v1``): see :mod:`maas.service.app`."""
from __future__ import annotations

__all__ = ["create_app", "serve", "reload"]


def __getattr__(name: str):
    # lazy: importing maas.service must not pull in FastAPI for library users
    if name in __all__:
        from maas.service import app as _app
        return getattr(_app, name)
    raise AttributeError(name)
