"""The footpath closure runs scipy's dijkstra on blocks of sources (memory per block, not n x n):
any block size gives exactly the pairs and lengths of one dense call."""
from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra

from maas.timetable.footpaths import bounded_closure


def test_blocks_give_the_dense_answer():
    rng = np.random.default_rng(3)
    n, m = 300, 1500
    a, b = rng.integers(0, n, m), rng.integers(0, n, m)
    w = rng.uniform(10, 200, m)
    graph = coo_matrix((w, (a, b)), shape=(n, n)).tocsr()
    sources = np.unique(a)
    dense = dijkstra(graph, directed=True, indices=sources, limit=400.0)
    rows, cols = np.nonzero(np.isfinite(dense))
    keep = sources[rows] != cols
    want = (sources[rows][keep], cols[keep], dense[rows[keep], cols[keep]])
    assert len(want[0]) > 1000          # a closure with chains, not a handful of pairs
    for block_cells in (1, n, 7 * n + 5, 1 << 24):
        got = bounded_closure(graph, sources, 400.0, block_cells=block_cells)
        for g, w_ in zip(got, want):
            np.testing.assert_array_equal(g, w_)
    empty = bounded_closure(graph, sources[:0], 400.0)
    assert all(len(x) == 0 for x in empty)
