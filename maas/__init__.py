"""maas: multimodal trip planning for Timișoara (GTFS + GBFS + park & ride, numba RAPTOR)."""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["Network", "build_network", "load_network", "__version__"]


def __getattr__(name: str):
    # Lazy: `maas validate` and other light commands should not pay for importing numba.
    if name in ("build_network", "load_network"):
        from maas import build
        return getattr(build, name)
    if name == "Network":
        from maas.planner.network import Network
        return Network
    raise AttributeError(f"module 'maas' has no attribute {name!r}")
