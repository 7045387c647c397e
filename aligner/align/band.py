"""Where the search may go: the band of DP nodes around a coarse path, and the averaged blocks of
sentences the coarse path is found on (Vecalign's recursive downsampling), so that time and memory grow
linearly with the texts.

A DP *node* ``(i, j)`` is the point after ``i`` pivot and ``j`` witness sentences; rows run over
``i = 0 .. n``, columns over ``j = 0 .. m``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aligner.align.features import SideData, unit_rows


@dataclass
class Band:
    """Node rows 0..n; row ``i`` holds columns ``lo[i] .. hi[i]-1`` (monotone, contains the path).

    Arrays over the band have shape ``(n + 1, width)``: cell ``[i, w]`` is node ``(i, lo[i] + w)``.
    """

    lo: np.ndarray
    hi: np.ndarray

    @property
    def width(self) -> int:
        return int((self.hi - self.lo).max())


def full_band(n: int, m: int) -> Band:
    """Every node: the exact search, for texts small enough."""
    return Band(np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m + 1, dtype=np.int64))


def band_around(path: list[tuple[int, int, int, int]], n: int, m: int, factor: int, extra: int) -> Band:
    """Project a coarse path (beads as row/column ranges) onto the fine grid, widened by ``extra``."""
    lo = np.full(n + 1, m + 1, dtype=np.int64)
    hi = np.zeros(n + 1, dtype=np.int64)
    for r0, r1, c0, c1 in path:
        fr0, fr1 = min(r0 * factor, n), min(r1 * factor, n)
        fc0, fc1 = min(c0 * factor, m), min(c1 * factor, m)
        lo[fr0 : fr1 + 1] = np.minimum(lo[fr0 : fr1 + 1], fc0)
        hi[fr0 : fr1 + 1] = np.maximum(hi[fr0 : fr1 + 1], fc1 + 1)
    # widen vertically and horizontally: a row may use the columns of rows up to `extra` away
    lo = _sliding(lo, extra, np.minimum) - extra
    hi = _sliding(hi, extra, np.maximum) + extra
    lo = np.clip(np.minimum.accumulate(lo[::-1])[::-1], 0, m)
    hi = np.clip(np.maximum.accumulate(hi), 1, m + 1)
    lo[0], hi[n] = 0, m + 1
    return Band(lo, np.maximum(hi, lo + 1))


def _sliding(values: np.ndarray, radius: int, op: np.ufunc) -> np.ndarray:
    """Running min/max over a window of ``2 * radius + 1`` (doubling steps: O(n log radius))."""
    out = values.copy()
    span = 1
    while span <= radius:
        step = min(span, radius - span + 1)
        shifted_l = np.concatenate([out[step:], out[-1:].repeat(step)])
        shifted_r = np.concatenate([out[:1].repeat(step), out[:-step]])
        out = op(out, op(shifted_l, shifted_r))
        span += step
    return out


def downsample(side: SideData, factor: int) -> SideData:
    """Average blocks of ``factor`` sentences (and pairs of blocks) for the coarse search."""
    n = len(side)
    count = -(-n // factor)
    base = side.overlaps[0]
    sums = np.add.reduceat(base, np.arange(0, n, factor), axis=0) if n else base[:0]
    one = unit_rows(sums)
    two = np.zeros_like(one)
    if count > 1:
        two[:-1] = unit_rows(sums[:-1] + sums[1:])
    lengths = np.add.reduceat(side.lengths, np.arange(0, n, factor)) if n else side.lengths[:0]
    return SideData([one, two], lengths, np.zeros(count))
