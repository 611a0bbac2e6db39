"""Google's encoded polyline algorithm as a numba kernel (arrays in, bytes out).

Every leg of every itinerary carries its line encoded; street legs have hundreds of points, so
the encoder runs compiled like the searches do.
"""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def polyline_bytes(lat: np.ndarray, lon: np.ndarray, factor: float) -> np.ndarray:
    """The ASCII codes of the encoded polyline of (lat, lon) points (``factor``: 1e5 for
    precision 5). Coordinates are rounded half to even, as Python's ``round`` does."""
    n = len(lat)
    out = np.empty(n * 2 * 7, np.uint8)   # a 64-bit delta needs at most 7 five-bit chunks here
    k = 0
    prev_a = 0
    prev_b = 0
    for i in range(n):
        a = np.int64(np.rint(lat[i] * factor))
        b = np.int64(np.rint(lon[i] * factor))
        for j in range(2):
            d = a - prev_a if j == 0 else b - prev_b
            v = ~(d << 1) if d < 0 else d << 1
            while v >= 0x20:
                out[k] = (0x20 | (v & 0x1F)) + 63
                k += 1
                v >>= 5
            out[k] = v + 63
            k += 1
        prev_a = a
        prev_b = b
    return out[:k]
