"""The score of every bead the search may take, one function per term (docs/align.md, "The aligner").

A bead of shape ``(a, b)`` ending at node ``(i, j)`` holds pivot sentences ``i-a .. i-1`` and witness
sentences ``j-b .. j-1``. Its score, maximised and summed over the path, is::

    similarity + lexical - margin - shape penalty - length - structure

and ``skip_score`` for a 1-0 or 0-1 bead. Every term is an array over rows of the band, of shape
``(rows, width)`` (cell ``[r, w]``: the bead ending at node ``(start + r, lo[start + r] + w)``, see
``Cells``), or a term that broadcasts to it: ``(rows, 1)`` for what depends on the pivot side only, a
float for the shape penalty. ``score_table`` computes them a chunk of rows at a time, so that what a
term needs on the way is held for ``SCORE_CHUNK_ROWS`` rows, not for the whole band (memory, issue 9).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from aligner.align.band import Band
from aligner.align.features import SideData, run_vectors
from aligner.align.params import AlignParams

NEG = -1e30
"""The score of what cannot be: a node outside the band, a bead past the start of a text."""

SCORE_CHUNK_ROWS = 256
"""Rows of the band whose scores are computed at once (memory only: the results do not depend on it)."""

SCORE_THREADS = 2
"""Threads that score shapes at once (``_map_shapes``): the search's largest part after the embedding."""

SCORE_THREADS_FROM = 20_000
"""Band cells from which the shapes are scored on threads: below, starting the threads costs more."""

KNN_CHUNK_ROWS = 512
"""Sentences whose nearest neighbours are found at once (memory only: the results do not depend on it)."""

TOTAL_SMOOTHING = 1.0
"""Characters added to both texts' lengths before their ratio, so that an empty text has one."""


def log_length_ratio(
    witness_chars: np.ndarray | float, pivot_chars: np.ndarray | float, smoothing: float
) -> np.ndarray:
    """log((witness + smoothing) / (pivot + smoothing)), element-wise: the length evidence of beads."""
    return np.log((witness_chars + smoothing) / (pivot_chars + smoothing))


def typical_log_ratio(x: SideData, y: SideData) -> float:
    """The texts' own length ratio (log): what a bead's ratio is compared with."""
    return float(log_length_ratio(float(y.lengths.sum()), float(x.lengths.sum()), TOTAL_SMOOTHING))


@dataclass
class Cells:
    """Which sentences the bead of one shape ending at each cell of rows ``start .. start + rows - 1``
    of the band holds.

    ``first_x`` ``(rows,)`` and ``first_y`` ``(rows, width)``: its first pivot and witness sentence
    (negative before the start); ``safe_x``, ``safe_y``: the same clipped to valid indices (for
    lookups whose result ``ok`` later discards); ``ok`` ``(rows, width)``: the bead exists.
    """

    a: int
    b: int
    first_x: np.ndarray
    first_y: np.ndarray
    safe_x: np.ndarray
    safe_y: np.ndarray
    ok: np.ndarray
    start: int = 0

    @property
    def stop(self) -> int:
        return self.start + len(self.first_x)


def bead_cells(a: int, b: int, n: int, m: int, cols: np.ndarray, valid: np.ndarray, start: int = 0) -> Cells:
    """The cells of rows ``start .. start + len(cols) - 1``: ``cols`` their node columns, ``valid``
    inside the band (``band_cells``)."""
    first_x = np.arange(start, start + len(cols)) - a
    first_y = cols - b
    ok = valid & (first_x[:, None] >= 0) & (first_y >= 0) & (cols <= m)
    safe_x = np.clip(first_x, 0, max(n - 1, 0))
    safe_y = np.clip(first_y, 0, max(m - 1, 0))
    return Cells(a, b, first_x, first_y, safe_x, safe_y, ok, start)


def band_cells(band: Band, start: int = 0, stop: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Node column of each cell of rows ``start .. stop - 1``, and whether it is inside the band."""
    lo, hi = band.lo[start:stop], band.hi[start:stop]
    cols = lo[:, None] + np.arange(band.width)[None, :]
    return cols, cols < hi[:, None]


def _chunks(cells: Cells, band: Band, n: int, m: int) -> Iterator[tuple[int, int, int, int, np.ndarray]]:
    """Row chunks ``i0:i1`` of the band, with the witness columns ``c0:c1`` their beads start in and
    each cell's column inside that chunk, ``(i1 - i0, width)``.

    The chunks are always rows ``a + k * SCORE_CHUNK_ROWS`` on (those of ``cells`` among them), so a
    term computed over a few chunks multiplies the very blocks it multiplies over the whole band:
    identical sums to the last bit."""
    a, b = cells.a, cells.b
    first = a + max(0, -(-(cells.start - a) // SCORE_CHUNK_ROWS)) * SCORE_CHUNK_ROWS
    for i0 in range(first, min(n + 1, cells.stop), SCORE_CHUNK_ROWS):
        i1 = min(n + 1, i0 + SCORE_CHUNK_ROWS)
        if i1 > cells.stop:
            raise ValueError("cells must end at a chunk's end")
        c0 = max(0, int(band.lo[i0]) - b)
        c1 = max(c0 + 1, min(m - b + 1, int(band.hi[i1 - 1]) - b))
        rows = slice(i0 - cells.start, i1 - cells.start)
        yield i0, i1, c0, c1, np.clip(cells.first_y[rows] - c0, 0, c1 - c0 - 1)


def similarity(x: SideData, y: SideData, cells: Cells, band: Band) -> np.ndarray:
    """Cosine of the embedded runs of the bead's two sides, ``(rows, width)`` float32 (as Vecalign)."""
    n, m = len(x), len(y)
    sim = np.zeros(cells.ok.shape, dtype=np.float32)
    ea, eb = x.overlaps[cells.a - 1], y.overlaps[cells.b - 1]
    for i0, i1, c0, c1, inside in _chunks(cells, band, n, m):
        block = ea[i0 - cells.a : i1 - cells.a] @ eb[c0:c1].T
        sim[i0 - cells.start : i1 - cells.start] = np.take_along_axis(block, inside, axis=1)
    return sim


def lexical(x: SideData, y: SideData, cells: Cells, band: Band, p: AlignParams) -> np.ndarray:
    """``numbers_weight * (cos(numbers) - number_mismatch if either side has a number)
    + ngrams_weight * cos(word 4-grams)``, ``(rows, width)`` float32 (0 without lexical vectors)."""
    n, m = len(x), len(y)
    out = np.zeros(cells.ok.shape, dtype=np.float32)
    channels = [
        (weight, offset, rx, ry)
        for weight, offset, rx, ry in (
            (p.numbers_weight, p.number_mismatch, x.numbers, y.numbers),
            (p.ngrams_weight, 0.0, x.ngrams, y.ngrams),
        )
        if weight and rx is not None and ry is not None
    ]
    if not channels:
        return out
    for i0, i1, c0, c1, inside in _chunks(cells, band, n, m):
        for weight, offset, rx, ry in channels:
            ux, uy = run_vectors(rx, i0 - cells.a, i1 - cells.a, cells.a), run_vectors(ry, c0, c1, cells.b)
            block = ux @ uy.T
            if offset:
                block -= offset * np.maximum(ux.any(axis=1)[:, None], uy.any(axis=1)[None, :])
            out[i0 - cells.start : i1 - cells.start] += weight * np.take_along_axis(block, inside, axis=1)
    return out


def shape_penalty(a: int, b: int, p: AlignParams) -> float:
    """The penalty of an ``a``-``b`` bead, a float (0 for 1-1, 1-0 and 0-1): merging sentences must pay."""
    big, small = max(a, b), min(a, b)
    if small == 0 or (big, small) == (1, 1):
        return 0.0
    if (big, small) == (2, 1):
        return p.penalty_2_1
    if (big, small) == (2, 2):
        return p.penalty_2_2
    return p.penalty_3_1 * (big - 2) if small == 1 else p.penalty_2_3


def margin(knn_x: np.ndarray, knn_y: np.ndarray, cells: Cells, n: int, m: int, p: AlignParams) -> np.ndarray:
    """``margin_weight`` x the mean of the two sides' nearest-neighbour similarity, ``(rows, width)``
    (``margin_mode`` "knn").

    ``knn_x`` ``(n,)``: for each run of ``a`` pivot sentences starting there, the mean cosine of its
    ``margin_neighbours`` nearest witness sentences; ``knn_y`` ``(m,)`` conversely (``neighbour_means``).
    """
    kx = knn_x[cells.safe_x][:, None] if n else 0.0
    ky = knn_y[cells.safe_y] if m else 0.0
    return p.margin_weight * (kx + ky) / 2


def adjacent_margin(x: SideData, y: SideData, cells: Cells, band: Band, p: AlignParams) -> np.ndarray:
    """``margin_weight`` x Bertalign's margin, ``(rows, width)`` float32 (``margin_mode`` "adjacent"):
    the mean of each side's cosine with the sentences just before and just after the other side (the one
    of them that exists at either end of a text), averaged over the two sides."""
    return p.margin_weight * adjacent_similarity(x, y, cells, band)


def adjacent_similarity(x: SideData, y: SideData, cells: Cells, band: Band) -> np.ndarray:
    """The similarity ``adjacent_margin`` weighs, ``(rows, width)`` float32 (0 where no bead ends)."""
    n, m = len(x), len(y)
    a, b = cells.a, cells.b
    out = np.zeros(cells.ok.shape, dtype=np.float32)
    ea, eb = x.overlaps[a - 1], y.overlaps[b - 1]
    x0, y0 = x.overlaps[0], y.overlaps[0]
    for i0, i1, c0, c1, inside in _chunks(cells, band, n, m):
        first_y = cells.first_y[i0 - cells.start : i1 - cells.start]
        # the pivot run against the witness sentences before and after its counterpart
        t0, t1 = max(c0 - 1, 0), max(min(m, c1 + b), max(c0 - 1, 0) + 1)
        tb = ea[i0 - a : i1 - a] @ y0[t0:t1].T if m else np.zeros((i1 - i0, 1))
        sides = []
        for idx in (first_y - 1, first_y + b):
            ok = (idx >= 0) & (idx < m)
            v = np.take_along_axis(tb, np.clip(idx - t0, 0, t1 - t0 - 1), axis=1)
            sides.append((np.where(ok, v, 0.0), ok))
        (lv, lok), (rv, rok) = sides
        ny = (lv + rv) / np.maximum(lok.astype(np.float32) + rok, 1.0)
        # the witness run against the pivot sentences before and after its counterpart
        s0, s1 = max(i0 - a - 1, 0), max(min(n, i1), max(i0 - a - 1, 0) + 1)
        sb = x0[s0:s1] @ eb[c0:c1].T
        rows = np.arange(i0, i1)
        around = []
        for idx in (rows - a - 1, rows):
            ok = (idx >= 0) & (idx < n)
            v = sb[np.clip(idx - s0, 0, s1 - s0 - 1)[:, None], inside]
            around.append((np.where(ok[:, None], v, 0.0), np.broadcast_to(ok[:, None], v.shape)))
        (ul, uok), (ur, urok) = around
        nx = (ul + ur) / np.maximum(uok.astype(np.float32) + urok, 1.0)
        out[i0 - cells.start : i1 - cells.start] = (nx + ny) / 2
    return out


def length_gap(lx: np.ndarray | float, ly: np.ndarray | float, typical: float, p: AlignParams) -> np.ndarray:
    """|log length ratio of a bead - the texts' one ``typical``|, element-wise (``length_mode``):
    "plus10" smooths both sides by ``length_smoothing`` characters, which biases the ratio where one
    script is much denser (a Chinese sentence is a third of its English one in characters);
    "symmetric" first brings both lengths halfway into each other's units, so the smoothing is alike on
    both sides and swapping pivot and witness leaves the gap as it was."""
    if p.length_mode == "symmetric":
        half = math.exp(typical / 2)
        return np.abs(log_length_ratio(ly / half, lx * half, p.length_smoothing))
    return np.abs(log_length_ratio(ly, lx, p.length_smoothing) - typical)


def length(
    cum_x: np.ndarray, cum_y: np.ndarray, typical: float, cells: Cells, n: int, m: int, p: AlignParams
) -> np.ndarray:
    """``length_weight`` x ``length_gap`` of the bead, ``(rows, width)``.

    ``cum_x`` ``(n + 1,)`` and ``cum_y`` ``(m + 1,)``: cumulative characters, 0 first.
    A bead of ``length_square_from`` sentences or more also pays ``length_square_weight`` x the gap
    squared: a long bead is believable only where its lengths fit.
    """
    lx = (cum_x[np.clip(cells.first_x + cells.a, 0, n)] - cum_x[cells.safe_x])[:, None]
    ly = cum_y[np.clip(cells.first_y + cells.b, 0, m)] - cum_y[cells.safe_y]
    gap = length_gap(lx, ly, typical, p)
    if cells.a + cells.b >= p.length_square_from:
        return p.length_weight * gap + p.length_square_weight * gap * gap
    return p.length_weight * gap


def dialogue(x: SideData, y: SideData, cells: Cells, p: AlignParams) -> np.ndarray | float:
    """``dialogue_weight`` x (1 where one side of the bead opens a quotation and the other none, + 1
    where one side's first sentence opens a line of dialogue and the other's not), ``(rows, width)``
    (0 without quote counts): speech is translated as speech, so a bead that gives one side's line of
    dialogue to the other side's narration, or starts a speaker's turn on one side only, is less likely."""
    if not p.dialogue_weight or x.quotes is None or y.quotes is None or not len(x) or not len(y):
        return 0.0
    n, m = len(x), len(y)
    qx = sum(x.quotes[np.clip(cells.safe_x + t, 0, n - 1)] for t in range(cells.a))[:, None]
    qy = sum(y.quotes[np.clip(cells.safe_y + t, 0, m - 1)] for t in range(cells.b))
    mismatch = ((qx > 0) != (qy > 0)).astype(np.float32)
    if x.turns is not None and y.turns is not None:
        mismatch += x.turns[cells.safe_x][:, None] != y.turns[cells.safe_y]
    return p.dialogue_weight * mismatch


def structure(
    x: SideData,
    y: SideData,
    cells: Cells,
    p: AlignParams,
    inner: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """``structure_weight`` x (the difference of the boundary strengths at the bead's start on the two
    sides + the strongest boundary strictly inside it on either side), ``(rows, width)``. ``inner``:
    ``strongest_inner_boundary`` of both sides for the bead's shape, if already at hand."""
    n, m = len(x), len(y)
    if inner is None:
        inner = (
            strongest_inner_boundary(x.boundaries, cells.a),
            strongest_inner_boundary(y.boundaries, cells.b),
        )
    sx = x.boundaries[cells.safe_x][:, None] if n else 0.0
    sy = y.boundaries[cells.safe_y] if m else 0.0
    inner_x = inner[0][cells.safe_x][:, None] if n else 0.0
    inner_y = inner[1][cells.safe_y] if m else 0.0
    return p.structure_weight * (np.abs(sx - sy) + np.maximum(inner_x, inner_y))


def strongest_inner_boundary(boundaries: np.ndarray, k: int) -> np.ndarray:
    """Strongest block start strictly inside each run of ``k`` sentences, ``(len,)``: a bead crossing a
    boundary."""
    out = np.zeros(len(boundaries))
    for t in range(1, min(k, len(boundaries))):
        out[: len(boundaries) - t] = np.maximum(out[: len(boundaries) - t], boundaries[t:])
    return out


def neighbour_means(a: np.ndarray, b: np.ndarray, lo: np.ndarray, hi: np.ndarray, k: int) -> np.ndarray:
    """Mean of the ``k`` best cosines of each row of ``a`` among rows ``lo[i]:hi[i]`` of ``b``, ``(len(a),)``:
    how similar a sentence is to everything near it."""
    out = np.zeros(len(a))
    if len(a) == 0 or len(b) == 0:
        return out
    for r0 in range(0, len(a), KNN_CHUNK_ROWS):
        r1 = min(len(a), r0 + KNN_CHUNK_ROWS)
        c0, c1 = int(lo[r0:r1].min()), int(hi[r0:r1].max())
        sims = a[r0:r1] @ b[c0:c1].T
        cols = np.arange(c0, c1)
        inside = (cols[None, :] >= lo[r0:r1, None]) & (cols[None, :] < hi[r0:r1, None])
        sims = np.where(inside, sims, -2.0)
        kk = min(k, c1 - c0)
        top = -np.partition(-sims, kk - 1, axis=1)[:, :kk]
        top = np.where(top <= -2.0, np.nan, top)
        out[r0:r1] = np.nan_to_num(np.nanmean(top, axis=1), nan=0.0) if kk else 0.0
    return out


def neighbour_windows(
    band: Band, n: int, m: int, p: AlignParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Where the margin's neighbours are sought: for pivot sentence i the band columns of its row, and
    for witness sentence j the rows whose band holds it, both widened by ``margin_window_pad * k``.
    Returns ``row_lo, row_hi`` ``(n,)`` and ``col_lo, col_hi`` ``(m,)``."""
    pad = p.margin_window_pad * p.margin_neighbours
    rows = np.arange(n)
    row_lo = np.clip(band.lo[rows] - pad, 0, m)
    row_hi = np.clip(band.hi[rows + 1] + pad, 0, m)
    cols = np.arange(m)
    # rows whose band holds column j: lo[i] <= j < hi[i]; lo and hi are monotone
    col_lo = np.clip(np.searchsorted(band.hi, cols, side="right") - pad, 0, n)
    col_hi = np.clip(np.searchsorted(band.lo, cols, side="right") + pad, 0, n)
    return row_lo, np.maximum(row_hi, row_lo + 1), col_lo, np.maximum(col_hi, col_lo + 1)


@dataclass
class ScoreTable:
    """Bead scores on the band, one array per shape: ``scores[s][i, w]`` is the bead of shape ``s``
    ending at node ``(i, lo[i] + w)`` (``NEG`` where there is none); ``sims[s]`` its similarity term
    (shapes with sentences on both sides only: a 1-0 or 0-1 bead has none, see ``similarity_at``).
    ``spans`` ``(n + 1,)``: how many cells of each row are inside the band (``valid``)."""

    shapes: list[tuple[int, int]]
    width: int
    spans: np.ndarray
    scores: dict[tuple[int, int], np.ndarray]
    sims: dict[tuple[int, int], np.ndarray]

    def valid(self, i: int) -> np.ndarray:
        """Row ``i``'s cells inside the band, ``(width,)``."""
        return np.arange(self.width) < self.spans[i]


def score_table(
    x: SideData, y: SideData, band: Band, p: AlignParams, shapes: Sequence[tuple[int, int]]
) -> ScoreTable:
    """Every term for every shape, summed into each bead's score, ``SCORE_CHUNK_ROWS`` rows at a time:
    only the scores and similarities themselves are held for the whole band."""
    n, m = len(x), len(y)
    width = band.width
    max_k = max(max(a, b) for a, b in shapes)
    row_lo, row_hi, col_lo, col_hi = neighbour_windows(band, n, m, p)
    k = p.margin_neighbours
    knn = p.margin_mode == "knn"  # the adjacent margin needs no neighbour search
    knn_x = [
        neighbour_means(x.overlaps[a - 1], y.overlaps[0], row_lo, row_hi, k) if knn else None
        for a in range(1, max_k + 1)
    ]
    knn_y = [
        neighbour_means(y.overlaps[b - 1], x.overlaps[0], col_lo, col_hi, k) if knn else None
        for b in range(1, max_k + 1)
    ]
    inner_x = [strongest_inner_boundary(x.boundaries, a) for a in range(max_k + 1)]
    inner_y = [strongest_inner_boundary(y.boundaries, b) for b in range(max_k + 1)]
    cum_x = np.concatenate([[0.0], np.cumsum(x.lengths)])
    cum_y = np.concatenate([[0.0], np.cumsum(y.lengths)])
    typical = typical_log_ratio(x, y)
    table = ScoreTable(list(shapes), width, band.hi - band.lo, {}, {})

    def one_shape(shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray | None]:
        a, b = shape
        score = np.full((n + 1, width), NEG, dtype=np.float32)  # rows before ``a``: no bead ends there
        sim_out = np.zeros((n + 1, width), dtype=np.float32) if a and b else None
        for i0 in range(a, n + 1, SCORE_CHUNK_ROWS):  # the chunks of ``_chunks``
            i1 = min(n + 1, i0 + SCORE_CHUNK_ROWS)
            cells = bead_cells(a, b, n, m, *band_cells(band, i0, i1), start=i0)
            if a and b:
                sim = similarity(x, y, cells, band)
                kx, ky = knn_x[a - 1], knn_y[b - 1]
                value = (
                    sim
                    + lexical(x, y, cells, band, p)
                    - (
                        margin(kx, ky, cells, n, m, p)
                        if kx is not None and ky is not None
                        else adjacent_margin(x, y, cells, band, p)
                    )
                    - shape_penalty(a, b, p)
                    - length(cum_x, cum_y, typical, cells, n, m, p)
                    - structure(x, y, cells, p, (inner_x[a], inner_y[b]))
                    - dialogue(x, y, cells, p)
                )
                score[i0:i1] = np.where(cells.ok, value, NEG)
                assert sim_out is not None
                sim_out[i0:i1] = np.where(cells.ok, sim, 0.0)
            else:
                score[i0:i1] = np.where(cells.ok, p.skip_score, NEG)
        return score, sim_out

    results = _map_shapes(one_shape, table.shapes, n * width)
    for shape, (score, sim_out) in zip(table.shapes, results, strict=True):
        table.scores[shape] = score
        if sim_out is not None:
            table.sims[shape] = sim_out
    return table


def _map_shapes(
    work: Callable[[tuple[int, int]], tuple[np.ndarray, np.ndarray | None]],
    shapes: Sequence[tuple[int, int]],
    cells: int,
) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
    """``work`` of each shape, in order, on ``SCORE_THREADS`` threads when the band is large: the
    shapes are independent and numpy releases the GIL in its loops and products, so two cores score
    at once; each shape is computed by one thread alone, so its table is the same to the last bit."""
    threads = min(SCORE_THREADS, os.cpu_count() or 1, len(shapes))
    if threads < 2 or cells < SCORE_THREADS_FROM:
        return map(work, shapes)
    with ThreadPoolExecutor(threads) as pool:
        return iter(list(pool.map(work, shapes)))
