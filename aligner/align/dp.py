"""The dynamic programme: best path through the band, and for each of its beads the best rival.

Index conventions: node ``(i, j)`` is the point after ``i`` pivot and ``j`` witness sentences
(``0 <= i <= n``, ``0 <= j <= m``). Arrays over the band are ``(n + 1, width)``, cell ``[i, w]`` being
node ``(i, band.lo[i] + w)`` (``at_node`` looks a node up). A bead of shape ``(a, b)`` goes from node
``(i - a, j - b)`` to node ``(i, j)`` and is scored at its end node. ``F[i, w]``: best score of a path
from ``(0, 0)`` to the node; ``B[i, w]``: best score of a path from the node to ``(n, m)``.

Only ``F`` and the choices of the best path are held for the whole band; the backward and the soft
passes keep the few rows a bead looks back on and the values at the nodes asked for (``Kept``): the
path is known by then (memory, issue 9).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from aligner.align.band import Band
from aligner.align.confidence import BeadEvidence, capped_delta
from aligner.align.features import SideData
from aligner.align.params import AlignParams
from aligner.align.scores import NEG, ScoreTable, length_gap, score_table, typical_log_ratio
from aligner.errors import AlignerError

NO_RIVAL_DELTA = 10.0
"""The delta of a bead no other bead could replace (any value above 1 reads the same: the feature is
capped at 1)."""

_STEP_FLOOR = -1e6  # a 0-1 step outside the band, kept finite so that cumulative sums stay exact


def forward(sc: ScoreTable, band: Band, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``F``, and ``choice[i, w]``: the index in ``sc.shapes`` of the last bead of the best path there."""
    width = sc.width
    F = np.full((n + 1, width), NEG)
    choice = np.full((n + 1, width), -1, dtype=np.int8)
    w = np.arange(width)
    index = {s: t for t, s in enumerate(sc.shapes)}
    skip_col = sc.scores.get((0, 1))
    for i in range(n + 1):
        base = np.full(width, NEG)
        best = np.full(width, -1, dtype=np.int8)
        if i == 0:
            base[0] = 0.0  # lo[0] == 0
        for (a, b), t in index.items():
            if a == 0 or a > i:
                continue
            idx = band.lo[i] + w - b - band.lo[i - a]
            ok = (idx >= 0) & (idx < band.hi[i - a] - band.lo[i - a])
            prev = np.where(ok, F[i - a, np.clip(idx, 0, width - 1)], NEG)
            cand = prev + sc.scores[(a, b)][i]
            better = cand > base
            base = np.where(better, cand, base)
            best = np.where(better, t, best)
        if skip_col is not None:
            # 0-1 beads stay in the row: F[i, w] = max over k <= w of base[k] + skip steps k+1 .. w
            valid = sc.valid(i)
            step = np.where(valid, skip_col[i].astype(np.float64), NEG)
            step[0] = 0.0
            cum = np.cumsum(np.maximum(step, _STEP_FLOOR))
            v = base - cum
            run = np.maximum.accumulate(v)
            row = cum + run
            took_skip = (v < run) & (row > NEG / 2)
            best = np.where(took_skip, index[(0, 1)], best)
            base = np.where(valid, row, NEG)
        F[i] = np.where(base > NEG / 2, base, NEG)
        choice[i] = best
    return F, choice


Kept = dict[tuple[int, int], float]
"""A pass's values at the nodes asked for (inside the band); ``kept_at`` reads them."""


def kept_at(values: Kept, i: int, j: int) -> float:
    """A kept value at node ``(i, j)``; ``NEG`` for a node outside the band."""
    return values.get((i, j), NEG)


def _keep(values: Kept, wanted: dict[int, list[int]], band: Band, i: int, row: np.ndarray) -> None:
    for j in wanted.get(i, ()):
        if band.lo[i] <= j < band.hi[i]:
            values[(i, j)] = float(row[j - band.lo[i]])


def _by_row(nodes: Iterable[tuple[int, int]]) -> dict[int, list[int]]:
    rows: dict[int, list[int]] = {}
    for i, j in nodes:
        rows.setdefault(i, []).append(j)
    return rows


def backward(
    sc: ScoreTable,
    band: Band,
    n: int,
    m: int,
    wanted: Iterable[tuple[int, int]],
    temperature: float | None = None,
) -> Kept:
    """``B`` at the ``wanted`` nodes: best score of a path from there to ``(n, m)``; with a
    ``temperature``, the log-sum-exp of every such path's score divided by it (the soft pass
    ``posteriors`` needs): one recurrence, two ways of combining the candidates. Only the rows a bead
    reaches ahead are held."""
    combine = np.maximum if temperature is None else np.logaddexp
    t = 1.0 if temperature is None else temperature
    width = sc.width
    reach = max((a for a, _ in sc.shapes), default=0)
    rows: dict[int, np.ndarray] = {}
    by_row, out = _by_row(wanted), {}
    w = np.arange(width)
    skip_col = sc.scores.get((0, 1))
    for i in range(n, -1, -1):
        base = np.full(width, NEG)
        if i == n:
            base[m - band.lo[n]] = 0.0
        for a, b in sc.shapes:
            if a == 0 or i + a > n:
                continue
            idx = band.lo[i] + w + b - band.lo[i + a]
            ok = (idx >= 0) & (idx < band.hi[i + a] - band.lo[i + a])
            cl = np.clip(idx, 0, width - 1)
            base = combine(base, np.where(ok, rows[i + a][cl] + sc.scores[(a, b)][i + a, cl] / t, NEG))
        valid = sc.valid(i)
        if skip_col is not None:
            # a 0-1 bead leaving column w ends at w + 1: B[i, w] = max(base[w], skip[w + 1] + B[i, w + 1])
            step = np.where(valid, skip_col[i].astype(np.float64) / t, NEG)
            base = _reverse_chain(base, np.maximum(np.append(step[1:], NEG), _STEP_FLOOR), combine)
        rows[i] = np.where(valid & (base > NEG / 2), base, NEG)
        rows.pop(i + reach, None)  # no bead from a row above reaches it
        _keep(out, by_row, band, i, rows[i])
    return out


def _reverse_chain(base: np.ndarray, step: np.ndarray, combine: np.ufunc = np.maximum) -> np.ndarray:
    """``out[w] = max_{k >= w} base[k] + step[w] + ... + step[k-1]`` (0-1 beads to the right; with
    ``np.logaddexp`` the log-sum-exp instead of the max)."""
    prefix = np.concatenate([[0.0], np.cumsum(step)])  # prefix[w] = step[0] + ... + step[w-1]
    v = base + prefix[: len(base)]  # base[k] + prefix[k]
    run = combine.accumulate(v[::-1])[::-1]
    return run - prefix[: len(base)]


def at_node(arr: np.ndarray, band: Band, i: int, j: int) -> float:
    """The value of a band array at node ``(i, j)``; ``NEG`` outside the band."""
    if i < 0 or i >= len(band.lo) or not band.lo[i] <= j < band.hi[i]:
        return NEG
    return float(arr[i, j - band.lo[i]])


def traceback(
    sc: ScoreTable, band: Band, choice: np.ndarray, n: int, m: int
) -> list[tuple[int, int, int, int]]:
    """The best path's beads from ``(0, 0)`` to ``(n, m)`` as ``(i0, i1, j0, j1)``: pivot sentences
    ``i0 .. i1-1``, witness sentences ``j0 .. j1-1``."""
    beads: list[tuple[int, int, int, int]] = []
    i, j = n, m
    while i > 0 or j > 0:
        a, b = sc.shapes[int(choice[i, j - band.lo[i]])]
        beads.append((i - a, i, j - b, j))
        i, j = i - a, j - b
    beads.reverse()
    return beads


@dataclass
class Found:
    """Beads as ``(i0, i1, j0, j1)`` (see ``traceback``) with the evidence their confidence comes from."""

    beads: list[tuple[int, int, int, int]]
    deltas: list[float]  # score lost if the bead is replaced by its best rival
    sims: list[float]  # cosine of the bead's two sides
    scores: list[float]  # the bead's own score (all terms)
    gaps: list[float]  # |log length ratio - the texts' ratio|
    posteriors: list[float] = field(default_factory=list)  # each bead's share of all paths (none: 1)

    def evidence(self, k: int) -> BeadEvidence:
        """What ``confidence`` needs for bead ``k``: its own evidence and its neighbours' doubt."""
        i0, i1, j0, j1 = self.beads[k]
        near = [capped_delta(self.deltas[t]) for t in (k - 1, k + 1) if 0 <= t < len(self.deltas)]
        return BeadEvidence(
            delta=self.deltas[k],
            similarity=self.sims[k],
            skip=i0 == i1 or j0 == j1,
            neighbour=min(near, default=1.0),
            score=self.scores[k],
            gap=self.gaps[k],
            size=(i1 - i0) + (j1 - j0),
            posterior=self.posteriors[k] if self.posteriors else 1.0,
        )


def rival_nodes(
    shapes: Sequence[tuple[int, int]], beads: Sequence[tuple[int, int, int, int]]
) -> set[tuple[int, int]]:
    """Where ``_rival_delta`` reads ``B``: each bead's end node and the end nodes of the other beads
    that could leave its start node."""
    nodes = set()
    for i0, i1, j0, j1 in beads:
        nodes.add((i1, j1))
        nodes.update((i0 + a, j0 + b) for a, b in shapes)
    return nodes


def _rival_delta(
    sc: ScoreTable, band: Band, F: np.ndarray, B: Kept, total: float, bead: tuple[int, int, int, int]
) -> float:
    """How much the best path loses if ``bead`` is replaced by the best path that leaves its start node,
    or enters its end node, by another bead."""
    i0, i1, j0, j1 = bead
    shape = (i1 - i0, j1 - j0)
    alt = NEG
    f_u, b_v = at_node(F, band, i0, j0), kept_at(B, i1, j1)
    for other in sc.shapes:
        if other == shape:
            continue
        a, b = other
        end_i, end_j = i0 + a, j0 + b
        alt = max(alt, f_u + at_node(sc.scores[other], band, end_i, end_j) + kept_at(B, end_i, end_j))
        alt = max(alt, at_node(F, band, i1 - a, j1 - b) + at_node(sc.scores[other], band, i1, j1) + b_v)
    return total - alt if alt > NEG / 2 else NO_RIVAL_DELTA


def similarity_at(sc: ScoreTable, band: Band, bead: tuple[int, int, int, int]) -> float:
    """The similarity term of a bead of the path (0 for a 1-0 or 0-1 bead: it has no two sides)."""
    i0, i1, j0, j1 = bead
    sims = sc.sims.get((i1 - i0, j1 - j0))
    return 0.0 if sims is None else at_node(sims, band, i1, j1)


def solve(
    x: SideData, y: SideData, band: Band, p: AlignParams, shapes: Sequence[tuple[int, int]], rivals: bool
) -> Found:
    """The best path in the band and each bead's evidence (deltas only with ``rivals``: a backward pass)."""
    with one_blas_thread():
        return _solve(x, y, band, p, shapes, rivals)


@cache
def _blas_limit() -> object:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController().limit  # finds numpy's BLAS once per process


def one_blas_thread() -> AbstractContextManager[object]:
    """BLAS on one thread inside: the search's products are small (a few hundred rows), and a second
    OpenBLAS thread spun on busy cores: the bundled search took 1.9 to 3.4 s of CPU on two threads and
    0.6 to 0.8 s on one, with the same files (docs/speed.md). The shapes use the cores instead."""
    return _blas_limit()(limits=1, user_api="blas")  # type: ignore[operator]


def _solve(
    x: SideData, y: SideData, band: Band, p: AlignParams, shapes: Sequence[tuple[int, int]], rivals: bool
) -> Found:
    n, m = len(x), len(y)
    sc = score_table(x, y, band, p, shapes)
    F, choice = forward(sc, band, n)
    total = at_node(F, band, n, m)
    if total <= NEG / 2:
        raise AlignerError("no alignment found within the search band (texts too different?)")
    beads = traceback(sc, band, choice, n, m)
    del choice
    typical = typical_log_ratio(x, y)
    B = backward(sc, band, n, m, rival_nodes(sc.shapes, beads)) if rivals else None
    found = Found(beads, [], [], [], [])
    for bead in beads:
        i0, i1, j0, j1 = bead
        shape = (i1 - i0, j1 - j0)
        one_sided = i0 == i1 or j0 == j1
        found.sims.append(similarity_at(sc, band, bead))
        found.scores.append(0.0 if one_sided else at_node(sc.scores[shape], band, i1, j1))
        lx, ly = float(x.lengths[i0:i1].sum()), float(y.lengths[j0:j1].sum())
        found.gaps.append(0.0 if one_sided else float(length_gap(lx, ly, typical, p)))
        found.deltas.append(0.0 if B is None else _rival_delta(sc, band, F, B, total, bead))
    del F  # the soft passes need none of it
    if rivals:
        found.posteriors = posteriors(sc, band, n, m, beads, p.temperature)
    return found


def soft_forward(
    sc: ScoreTable, band: Band, n: int, temperature: float, wanted: Iterable[tuple[int, int]]
) -> Kept:
    """``forward`` with log-sum-exp instead of max, on scores divided by ``temperature``, at the
    ``wanted`` nodes: the log of the summed weight ``exp(score / temperature)`` of every path from
    ``(0, 0)`` to there. Only the rows a bead reaches back to are held."""
    width, t = sc.width, temperature
    reach = max((a for a, _ in sc.shapes), default=0)
    rows: dict[int, np.ndarray] = {}
    by_row, out = _by_row(wanted), {}
    w = np.arange(width)
    skip_col = sc.scores.get((0, 1))
    for i in range(n + 1):
        base = np.full(width, NEG)
        if i == 0:
            base[0] = 0.0
        for a, b in sc.shapes:
            if a == 0 or a > i:
                continue
            idx = band.lo[i] + w - b - band.lo[i - a]
            ok = (idx >= 0) & (idx < band.hi[i - a] - band.lo[i - a])
            prev = np.where(ok, rows[i - a][np.clip(idx, 0, width - 1)], NEG)
            base = np.logaddexp(base, prev + sc.scores[(a, b)][i] / t)
        valid = sc.valid(i)
        if skip_col is not None:  # 0-1 beads stay in the row, as in ``forward``
            step = np.where(valid, skip_col[i].astype(np.float64) / t, NEG)
            step[0] = 0.0
            cum = np.cumsum(np.maximum(step, _STEP_FLOOR))
            base = cum + np.logaddexp.accumulate(base - cum)
        rows[i] = np.where(valid & (base > NEG / 2), base, NEG)
        rows.pop(i - reach, None)  # no bead from a row below reaches back to it
        _keep(out, by_row, band, i, rows[i])
    return out


def posteriors(
    sc: ScoreTable,
    band: Band,
    n: int,
    m: int,
    beads: Sequence[tuple[int, int, int, int]],
    temperature: float,
) -> list[float]:
    """Each bead's share of all alignments in the band, a path weighing ``exp(score / temperature)``
    (forward-backward): low where other paths, not only one rival bead, do nearly as well."""
    F = soft_forward(sc, band, n, temperature, [(n, m), *((i0, j0) for i0, _, j0, _ in beads)])
    B = backward(sc, band, n, m, [(i1, j1) for _, i1, _, j1 in beads], temperature)
    total = kept_at(F, n, m)
    out = []
    for i0, i1, j0, j1 in beads:
        own = at_node(sc.scores[(i1 - i0, j1 - j0)], band, i1, j1) / temperature
        log_p = kept_at(F, i0, j0) + own + kept_at(B, i1, j1) - total
        out.append(float(np.exp(min(log_p, 0.0))))
    return out
