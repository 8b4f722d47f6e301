"""Hop distances on the heuristic's growth graph, computed per source when asked.

The search reads the distances from a few dozen seeds at a time, never all of them: rows
are breadth-first searches (scipy) from one district, kept in a bounded cache, instead of
the n x n matrix (at 4,000 districts 128 MB and two seconds before the first move)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

#: Rows kept (least recently used dropped first): enough for every seed of a few starts.
CACHE_ROWS = 512
#: Sources per breadth-first batch when a block of many rows is asked for.
BATCH = 256


class HopDistances:
    """Hops between districts of an undirected graph; ``4 n + 4`` when not connected."""

    def __init__(self, matrix: csr_matrix) -> None:
        self.matrix = matrix
        self.n = matrix.shape[0]
        self.unreachable = float(4 * self.n + 4)
        self._cache: OrderedDict[int, np.ndarray] = OrderedDict()

    def _search(self, sources: Sequence[int]) -> np.ndarray:
        out = dijkstra(self.matrix, directed=False, indices=list(sources), unweighted=True)
        out = np.atleast_2d(out)
        out[~np.isfinite(out)] = self.unreachable
        return out

    def row(self, source: int) -> np.ndarray:
        """Hops from ``source`` to every district (read-only)."""
        found = self._cache.get(source)
        if found is not None:
            self._cache.move_to_end(source)
            return found
        return self.rows([source])[0]

    def rows(self, sources: Sequence[int]) -> np.ndarray:
        """Hops from each of ``sources`` (one row each) to every district."""
        wanted = list(dict.fromkeys(sources))
        for source in wanted:
            if source in self._cache:
                self._cache.move_to_end(source)
        missing = [s for s in wanted if s not in self._cache]
        if missing:
            for source, values in zip(missing, self._search(missing), strict=True):
                values.flags.writeable = False
                self._cache[source] = values
            while len(self._cache) > max(CACHE_ROWS, len(wanted)):
                self._cache.popitem(last=False)
        return np.array([self._cache[s] for s in sources]).reshape(len(sources), self.n)

    def block(self, sources: Sequence[int], targets: Sequence[int]) -> np.ndarray:
        """Hops from each of ``sources`` to each of ``targets``, in batches (not cached):
        memory ``BATCH`` x n at a time, not len(sources) x n."""
        cols = np.asarray(targets, dtype=np.int64)
        parts = [self._search(sources[i:i + BATCH])[:, cols]
                 for i in range(0, len(sources), BATCH)]
        return np.vstack(parts) if parts else np.zeros((0, len(cols)))

    def nearest(self, sources: Sequence[int]) -> np.ndarray:
        """Hops from every district to the nearest of ``sources``."""
        out = dijkstra(self.matrix, directed=False, indices=list(sources), unweighted=True,
                       min_only=True)
        out[~np.isfinite(out)] = self.unreachable
        return out
