"""The planner's compiled haversine agrees with the build's numpy reference, everywhere."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from maas.router.distance import haversine
from maas.timetable.footpaths import haversine_m

lat = st.floats(-89.9, 89.9, allow_nan=False)
lon = st.floats(-180, 180, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(lat, lon, st.lists(st.tuples(lat, lon), min_size=1, max_size=20))
def test_haversine_matches_numpy_reference(la, lo, points) -> None:
    lats = np.array([p[0] for p in points])
    lons = np.array([p[1] for p in points])
    got = haversine(la, lo, lats, lons)
    want = haversine_m(la, lo, lats, lons)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-6)


def test_haversine_known_distance_and_broadcasting() -> None:
    # Timișoara Gara de Nord -> Piața Victoriei is about 1.5 km; a degree of latitude ~111.2 km
    assert abs(float(haversine(45.7504, 21.2072, 45.7537, 21.2257)) - 1481.0) < 5.0
    assert abs(float(haversine(45.0, 21.0, 46.0, 21.0)) - 111_195.0) < 1.0
    a = np.array([45.70, 45.75, 45.80])
    grid = haversine(a[:, None], np.full((3, 1), 21.2), a[None, :], np.full((1, 3), 21.2))
    assert grid.shape == (3, 3) and np.allclose(np.diag(grid), 0.0) and np.allclose(grid, grid.T)
