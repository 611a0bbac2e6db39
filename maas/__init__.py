"""maas: multimodal trip planning for Timișoara (GTFS + GBFS + park & ride, numba RAPTOR)."""
from __future__ import annotations

__version__ = "0.1.0"

from maas.build import build_network, load_network  # noqa: E402
from maas.planner.network import Network  # noqa: E402

__all__ = ["Network", "build_network", "load_network", "__version__"]
