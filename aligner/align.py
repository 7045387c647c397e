"""Alignment of a witness with the pivot: beads found by dynamic programming, each with a confidence.

A *bead* groups consecutive pivot segments with consecutive segments of the other witness
(1-1, 2-1, 1-0, ...). Beads are in order and cover both texts exactly once.
"""

from __future__ import annotations

import math
import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from tqdm import tqdm

from aligner.embed import Embedder, embed
from aligner.errors import AlignerError
from aligner.witness import Witness


@dataclass(frozen=True)
class Bead:
    """Pivot segment indices, witness segment indices (0-based), and how sure we are of the link.

    ``resp`` is the reviewer who fixed the bead by hand (``None``: made by the machine); a reviewed
    bead has confidence 1.0 and is kept as a fixed constraint when the texts are aligned again.
    """

    pivot: tuple[int, ...]
    witness: tuple[int, ...]
    confidence: float
    resp: str | None = None
    note: str | None = None


Side = Literal["pivot", "witness"]


def side_of(bead: Bead, side: Side) -> tuple[int, ...]:
    """The bead's segment indices on one side: what review and fixed beads reason about."""
    return bead.pivot if side == "pivot" else bead.witness


def with_side(bead: Bead, side: Side, indices: tuple[int, ...]) -> Bead:
    """The same bead with other segment indices on one side."""
    return replace(bead, pivot=indices) if side == "pivot" else replace(bead, witness=indices)


@dataclass
class PairAlignment:
    """All beads between the pivot and one other witness."""

    pivot_id: str
    witness_id: str
    beads: list[Bead] = field(default_factory=list)


# --- the engine -----------------------------------------------------------------------------------
#
# Score of a bead (maximised, summed over the path):
#   cos(concat(x), concat(y)) - margin * (knn(x) + knn(y)) / 2   # LASER-style margin: a sentence
#   - shape penalty - length * |log length ratio - typical ratio| #   similar to everything is discounted
#   - structure * (block boundary inside the bead, or block start on one side only)
#   + numbers * (cos(numbers) - [a number on either side]) + names * cos(word 4-grams)  # lexical
# and a fixed score for 0-1 / 1-0 beads. Long texts are searched coarse-to-fine in a band around the
# path found on averaged blocks of sentences (Vecalign's recursive downsampling), so time and memory
# grow linearly. Confidence comes from forward and backward passes: how much the best path loses if
# this bead is replaced by its best rival, together with the bead's similarity.

REVIEW_THRESHOLD: float = 0.8
"""Beads below this confidence are listed for review (chosen on the Text+Berg dev document)."""

SHAPES: tuple[tuple[int, int], ...] = (
    (1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (3, 1), (1, 3), (2, 2), (2, 3), (3, 2), (1, 4), (4, 1)
)  # fmt: skip
_NEG = -1e30


@dataclass(frozen=True)
class AlignParams:
    """The scoring weights (tuned on the Text+Berg dev document only; see benchmarks/textberg.py)."""

    shapes: tuple[tuple[int, int], ...] = SHAPES
    skip: float = -0.15
    margin: float = 0.8
    knn: int = 4
    length: float = 0.10
    penalty_21: float = 0.06
    penalty_31: float = 0.10
    penalty_22: float = 0.06
    structure: float = 0.15
    numbers: float = 0.05  # weight of the shared-numbers cosine ...
    numbers_offset: float = 1.0  # ... minus this where either side has a number: a mismatch costs
    names: float = 0.10  # weight of the word 4-gram cosine (names, cognates)
    full_limit: int = 6_000_000
    coarse_factor: int = 8
    band: int = 12

    def penalty(self, a: int, b: int) -> float:
        big, small = max(a, b), min(a, b)
        if small == 0 or (big, small) == (1, 1):
            return 0.0
        if (big, small) == (2, 1):
            return self.penalty_21
        if (big, small) == (2, 2):
            return self.penalty_22
        return self.penalty_31 * (big - 2) + self.penalty_21 * (small - 1) if small == 1 else self.penalty_22


DEFAULT_PARAMS = AlignParams()


@dataclass
class SideData:
    """One side ready for alignment: ``overlaps[k-1][i]`` embeds sentences ``i .. i+k-1`` joined.

    ``starts`` says how strongly each sentence opens a structural unit (1 heading or numbered
    point, 0.5 paragraph, 0 none). ``numbers`` and ``names`` are the lexical vectors of
    ``lexical_features`` (``None``: no lexical evidence, e.g. bare embeddings).
    """

    overlaps: list[np.ndarray]
    lengths: np.ndarray
    starts: np.ndarray
    numbers: np.ndarray | None = None
    names: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.lengths)

    def slice(self, start: int, stop: int) -> SideData:
        return SideData(
            [o[start:stop] for o in self.overlaps],
            self.lengths[start:stop],
            self.starts[start:stop],
            None if self.numbers is None else self.numbers[start:stop],
            None if self.names is None else self.names[start:stop],
        )


def overlap_texts(sentences: Sequence[str], max_overlap: int = 3) -> list[list[str]]:
    """The texts to embed: every run of 1..max_overlap consecutive sentences, joined by a space."""
    return [
        [" ".join(sentences[i : i + k]) for i in range(len(sentences) - k + 1)]
        for k in range(1, max_overlap + 1)
    ]


def side_data(
    sentences: Sequence[str],
    embedder: Embedder,
    starts: Sequence[float] | None = None,
    max_overlap: int = 4,
    desc: str = "embedding",
    embedded_overlap: int = 3,
) -> SideData:
    """Embed the sentences and their concatenations (through the disk cache).

    Runs longer than ``embedded_overlap`` are composed from a shorter run and the next sentence:
    embedding every run of four long sentences would double the time for 0.6 point of F1 on dev.
    """
    runs = overlap_texts(sentences, min(max_overlap, embedded_overlap))
    flat = [t for run in runs for t in run]
    rows = embed(flat, embedder, desc=desc) if flat else np.zeros((0, 1), dtype=np.float32)
    dim = rows.shape[1] if len(rows) else 1
    n = len(sentences)
    overlaps, at = [], 0
    for run in runs:
        block = np.zeros((n, dim), dtype=np.float32)
        block[: len(run)] = rows[at : at + len(run)]
        overlaps.append(block)
        at += len(run)
    for k in range(len(runs) + 1, max_overlap + 1):
        block = np.zeros((n, dim), dtype=np.float32)
        if n >= k:
            block[: n - k + 1] = _unit(overlaps[k - 2][: n - k + 1] + overlaps[0][k - 1 :])
        overlaps.append(block)
    lengths = np.array([len(s) for s in sentences], dtype=np.float64)
    start_arr = np.zeros(n) if starts is None else np.asarray(starts, dtype=np.float64)
    numbers, names = lexical_features(sentences)
    return SideData(overlaps, lengths, start_arr, numbers, names)


# --- lexical evidence -----------------------------------------------------------------------------
#
# The sentence encoder barely sees numbers and proper names, yet a height, a year or a peak's name is
# the surest sign that two sentences say the same thing. Each sentence gets two small hashed count
# vectors (numbers; character 4-grams of its words), so the lexical agreement of a bead is one more
# cosine, computed like the embedding one and only inside the search band.

_BUCKETS = 256
_THOUSANDS = re.compile(r"(?<=\d)['\u2019\u202f\u00a0 .](?=\d{3}(?!\d))")
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"[^\W\d_]{4,}")


def _fold(text: str) -> str:
    """Lower case without accents, so that cognates and names spelt alike match across languages."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def _bucket(feature: str, memo: dict[str, int]) -> int:
    if feature not in memo:
        memo[feature] = zlib.crc32(feature.encode("utf-8")) % _BUCKETS  # stable across runs
    return memo[feature]


def lexical_features(sentences: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per sentence: hashed counts of its numbers ("4'000" = "4 000" = "4000"), and of the character
    4-grams of its words (names, cognates), weighted by rarity in the text."""
    n = len(sentences)
    numbers = np.zeros((n, _BUCKETS), dtype=np.float32)
    names = np.zeros((n, _BUCKETS), dtype=np.float32)
    memo: dict[str, int] = {}
    for i, sentence in enumerate(sentences):
        for number in _DIGITS.findall(_THOUSANDS.sub("", sentence)):
            numbers[i, _bucket("#" + number.lstrip("0"), memo)] += 1
        for word in _WORD.findall(_fold(sentence)):
            padded = f" {word} "
            for k in range(len(padded) - 3):
                names[i, _bucket(padded[k : k + 4], memo)] += 1
    if n:
        df = (names > 0).sum(axis=0)
        names *= np.log((n + 1) / (df + 1)).astype(np.float32)
    return numbers, names


def _runs(rows: np.ndarray, start: int, stop: int, k: int) -> np.ndarray:
    """Unit vectors of the runs of ``k`` rows starting at ``start .. stop-1`` (zero rows stay zero)."""
    out = rows[start:stop].astype(np.float32, copy=True)
    for t in range(1, k):
        part = rows[start + t : stop + t]
        out[: len(part)] += part
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-12)


# --- band geometry --------------------------------------------------------------------------------


@dataclass
class _Band:
    """Node rows 0..n; row ``i`` holds columns ``lo[i] .. hi[i]-1`` (monotone, contains the path)."""

    lo: np.ndarray
    hi: np.ndarray

    @property
    def width(self) -> int:
        return int((self.hi - self.lo).max())


def _full_band(n: int, m: int) -> _Band:
    return _Band(np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m + 1, dtype=np.int64))


def _band_around(path: list[tuple[int, int, int, int]], n: int, m: int, factor: int, extra: int) -> _Band:
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
    return _Band(lo, np.maximum(hi, lo + 1))


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


def _downsample(side: SideData, factor: int) -> SideData:
    """Average blocks of ``factor`` sentences (and pairs of blocks) for the coarse search."""
    n = len(side)
    count = -(-n // factor)
    base = side.overlaps[0]
    sums = np.add.reduceat(base, np.arange(0, n, factor), axis=0) if n else base[:0]
    one = _unit(sums)
    two = np.zeros_like(one)
    if count > 1:
        two[:-1] = _unit(sums[:-1] + sums[1:])
    lengths = np.add.reduceat(side.lengths, np.arange(0, n, factor)) if n else side.lengths[:0]
    return SideData([one, two], lengths, np.zeros(count))


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)).astype(np.float32)


# --- scores ---------------------------------------------------------------------------------------


def _knn_means(a: np.ndarray, b: np.ndarray, lo: np.ndarray, hi: np.ndarray, k: int) -> np.ndarray:
    """Mean of the ``k`` best cosines of each row of ``a`` among rows ``lo[i]:hi[i]`` of ``b``."""
    out = np.zeros(len(a))
    if len(a) == 0 or len(b) == 0:
        return out
    chunk = 512
    for r0 in range(0, len(a), chunk):
        r1 = min(len(a), r0 + chunk)
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


def _knn_windows(
    band: _Band, n: int, m: int, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Neighbour windows: for source sentence i the band columns of its row, and conversely."""
    pad = 4 * k
    rows = np.arange(n)
    row_lo = np.clip(band.lo[rows] - pad, 0, m)
    row_hi = np.clip(band.hi[rows + 1] + pad, 0, m)
    cols = np.arange(m)
    # rows whose band holds column j: lo[i] <= j < hi[i]; lo and hi are monotone
    col_lo = np.clip(np.searchsorted(band.hi, cols, side="right") - pad, 0, n)
    col_hi = np.clip(np.searchsorted(band.lo, cols, side="right") + pad, 0, n)
    return row_lo, np.maximum(row_hi, row_lo + 1), col_lo, np.maximum(col_hi, col_lo + 1)


class _Scores:
    """Bead scores on the band, one array per shape: ``S[s][i, w]`` ends at node ``(i, lo[i] + w)``."""

    def __init__(
        self, x: SideData, y: SideData, band: _Band, p: AlignParams, shapes: Sequence[tuple[int, int]]
    ):
        n, m = len(x), len(y)
        self.shapes = list(shapes)
        width = band.width
        self.width = width
        rows = np.arange(n + 1)
        self.cols = band.lo[:, None] + np.arange(width)[None, :]  # node column of each cell
        self.valid = self.cols < band.hi[:, None]
        max_k = max(max(a, b) for a, b in self.shapes)
        row_lo, row_hi, col_lo, col_hi = _knn_windows(band, n, m, p.knn)
        knn_x = [
            _knn_means(x.overlaps[a - 1], y.overlaps[0], row_lo, row_hi, p.knn) for a in range(1, max_k + 1)
        ]
        knn_y = [
            _knn_means(y.overlaps[b - 1], x.overlaps[0], col_lo, col_hi, p.knn) for b in range(1, max_k + 1)
        ]
        cum_x = np.concatenate([[0.0], np.cumsum(x.lengths)])
        cum_y = np.concatenate([[0.0], np.cumsum(y.lengths)])
        typical = np.log((cum_y[-1] + 1.0) / (cum_x[-1] + 1.0))
        self.sims: dict[tuple[int, int], np.ndarray] = {}
        self.S: dict[tuple[int, int], np.ndarray] = {}
        for a, b in self.shapes:
            score = np.full((n + 1, width), _NEG, dtype=np.float32)
            sim = np.zeros((n + 1, width), dtype=np.float32)
            r = rows - a  # first source sentence of the bead ending at row i
            c = self.cols - b  # first target sentence
            ok = self.valid & (r[:, None] >= 0) & (c >= 0) & (self.cols <= m)
            if a and b:
                ea, eb = x.overlaps[a - 1], y.overlaps[b - 1]
                lexical = np.zeros((n + 1, width), dtype=np.float32)
                channels = [
                    (weight, offset, rx, ry)
                    for weight, offset, rx, ry in (
                        (p.numbers, p.numbers_offset, x.numbers, y.numbers),
                        (p.names, 0.0, x.names, y.names),
                    )
                    if weight and rx is not None and ry is not None
                ]
                chunk = 256
                for i0 in range(a, n + 1, chunk):
                    i1 = min(n + 1, i0 + chunk)
                    c0 = max(0, int(band.lo[i0]) - b)
                    c1 = max(c0 + 1, min(m - b + 1, int(band.hi[i1 - 1]) - b))
                    block = ea[i0 - a : i1 - a] @ eb[c0:c1].T
                    cc = np.clip(c[i0:i1] - c0, 0, c1 - c0 - 1)
                    sim[i0:i1] = np.take_along_axis(block, cc, axis=1)
                    for weight, offset, rx, ry in channels:
                        ux, uy = _runs(rx, i0 - a, i1 - a, a), _runs(ry, c0, c1, b)
                        block = ux @ uy.T
                        if offset:
                            block -= offset * np.maximum(ux.any(axis=1)[:, None], uy.any(axis=1)[None, :])
                        lexical[i0:i1] += weight * np.take_along_axis(block, cc, axis=1)
                rr = np.clip(r, 0, max(n - 1, 0))
                ccl = np.clip(c, 0, max(m - 1, 0))
                kx = knn_x[a - 1][rr][:, None] if n else 0.0
                ky = knn_y[b - 1][ccl] if m else 0.0
                lx = (cum_x[np.clip(r + a, 0, n)] - cum_x[rr])[:, None]
                ly = cum_y[np.clip(c + b, 0, m)] - cum_y[ccl]
                ratio = np.abs(np.log((ly + 10.0) / (lx + 10.0)) - typical)
                sx = x.starts[rr][:, None] if n else 0.0
                sy = y.starts[ccl] if m else 0.0
                inner_x = _inner(x.starts, a)[rr][:, None] if n else 0.0
                inner_y = _inner(y.starts, b)[ccl] if m else 0.0
                value = (
                    sim
                    + lexical
                    - p.margin * (kx + ky) / 2
                    - p.penalty(a, b)
                    - p.length * ratio
                    - p.structure * (np.abs(sx - sy) + np.maximum(inner_x, inner_y))
                )
                score = np.where(ok, value, _NEG).astype(np.float32)
            else:
                score = np.where(ok, p.skip, _NEG).astype(np.float32)
            self.S[(a, b)] = score
            self.sims[(a, b)] = np.where(ok, sim, 0.0).astype(np.float32)


def _inner(starts: np.ndarray, k: int) -> np.ndarray:
    """Strongest block start strictly inside each run of ``k`` sentences (a bead crossing a boundary)."""
    out = np.zeros(len(starts))
    for t in range(1, min(k, len(starts))):
        out[: len(starts) - t] = np.maximum(out[: len(starts) - t], starts[t:])
    return out


# --- dynamic programming --------------------------------------------------------------------------


def _forward(sc: _Scores, band: _Band, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Best score of a path from (0, 0) to every node, and the shape of its last bead."""
    width = sc.width
    F = np.full((n + 1, width), _NEG)
    choice = np.full((n + 1, width), -1, dtype=np.int8)
    w = np.arange(width)
    index = {s: t for t, s in enumerate(sc.shapes)}
    skip_col = sc.S.get((0, 1))
    for i in range(n + 1):
        base = np.full(width, _NEG)
        best = np.full(width, -1, dtype=np.int8)
        if i == 0:
            base[0] = 0.0  # lo[0] == 0
        for (a, b), t in index.items():
            if a == 0 or a > i:
                continue
            idx = band.lo[i] + w - b - band.lo[i - a]
            ok = (idx >= 0) & (idx < band.hi[i - a] - band.lo[i - a])
            prev = np.where(ok, F[i - a, np.clip(idx, 0, width - 1)], _NEG)
            cand = prev + sc.S[(a, b)][i]
            better = cand > base
            base = np.where(better, cand, base)
            best = np.where(better, t, best)
        if skip_col is not None:
            step = np.where(sc.valid[i], skip_col[i].astype(np.float64), _NEG)
            step[0] = 0.0
            cum = np.cumsum(np.maximum(step, -1e6))
            v = base - cum
            run = np.maximum.accumulate(v)
            row = cum + run
            took_skip = (v < run) & (row > _NEG / 2)
            best = np.where(took_skip, index[(0, 1)], best)
            base = np.where(sc.valid[i], row, _NEG)
        F[i] = np.where(base > _NEG / 2, base, _NEG)
        choice[i] = best
    return F, choice


def _backward(sc: _Scores, band: _Band, n: int, m: int) -> np.ndarray:
    """Best score of a path from every node to (n, m)."""
    width = sc.width
    B = np.full((n + 1, width), _NEG)
    w = np.arange(width)
    skip_col = sc.S.get((0, 1))
    for i in range(n, -1, -1):
        base = np.full(width, _NEG)
        if i == n:
            base[m - band.lo[n]] = 0.0
        for a, b in sc.shapes:
            if a == 0 or i + a > n:
                continue
            idx = band.lo[i] + w + b - band.lo[i + a]
            ok = (idx >= 0) & (idx < band.hi[i + a] - band.lo[i + a])
            cl = np.clip(idx, 0, width - 1)
            cand = np.where(ok, B[i + a, cl] + sc.S[(a, b)][i + a, cl], _NEG)
            base = np.maximum(base, cand)
        if skip_col is not None:
            # a 0-1 bead leaving column w ends at w + 1: B[i, w] = max(base[w], skip[w + 1] + B[i, w + 1])
            step = np.where(sc.valid[i], skip_col[i].astype(np.float64), _NEG)
            base = _reverse_chain(base, np.maximum(np.append(step[1:], _NEG), -1e6))
        B[i] = np.where(sc.valid[i] & (base > _NEG / 2), base, _NEG)
    return B


def _reverse_chain(base: np.ndarray, step: np.ndarray) -> np.ndarray:
    """``out[w] = max_{k >= w} base[k] + step[w] + ... + step[k-1]`` (0-1 beads to the right)."""
    prefix = np.concatenate([[0.0], np.cumsum(step)])  # prefix[w] = step[0] + ... + step[w-1]
    v = base + prefix[: len(base)]  # base[k] + prefix[k]
    run = np.maximum.accumulate(v[::-1])[::-1]
    return run - prefix[: len(base)]


def _cell(arr: np.ndarray, band: _Band, i: int, j: int) -> float:
    if i < 0 or i >= len(band.lo) or not band.lo[i] <= j < band.hi[i]:
        return _NEG
    return float(arr[i, j - band.lo[i]])


@dataclass
class _Found:
    """Beads as (row0, row1, col0, col1) with the evidence the confidence is computed from."""

    beads: list[tuple[int, int, int, int]]
    deltas: list[float]  # score lost if the bead is replaced by its best rival
    sims: list[float]  # cosine of the bead's two sides
    scores: list[float]  # the bead's own score (similarity, margin, lexical, length, shape, structure)
    gaps: list[float]  # |log length ratio - the texts' ratio|

    def evidence(self, k: int) -> dict[str, float]:
        """What ``confidence`` needs for bead ``k``: its own evidence and its neighbours' doubt."""
        r0, r1, c0, c1 = self.beads[k]
        near = [min(max(self.deltas[t], 0.0), 1.0) for t in (k - 1, k + 1) if 0 <= t < len(self.deltas)]
        return {
            "delta": self.deltas[k],
            "similarity": self.sims[k],
            "skip": r0 == r1 or c0 == c1,
            "neighbour": min(near, default=1.0),
            "score": self.scores[k],
            "gap": self.gaps[k],
            "size": (r1 - r0) + (c1 - c0),
        }


def _solve(
    x: SideData, y: SideData, band: _Band, p: AlignParams, shapes: Sequence[tuple[int, int]], rivals: bool
):
    n, m = len(x), len(y)
    sc = _Scores(x, y, band, p, shapes)
    F, choice = _forward(sc, band, n)
    total = _cell(F, band, n, m)
    if total <= _NEG / 2:
        raise AlignerError("no alignment found within the search band (texts too different?)")
    beads: list[tuple[int, int, int, int]] = []
    kinds: list[tuple[int, int]] = []
    i, j = n, m
    while i > 0 or j > 0:
        t = int(choice[i, j - band.lo[i]])
        a, b = sc.shapes[t]
        beads.append((i - a, i, j - b, j))
        kinds.append((a, b))
        i, j = i - a, j - b
    beads.reverse()
    kinds.reverse()
    deltas: list[float] = []
    sims: list[float] = []
    scores: list[float] = []
    gaps: list[float] = []
    typical = math.log((float(y.lengths.sum()) + 1.0) / (float(x.lengths.sum()) + 1.0))
    B = _backward(sc, band, n, m) if rivals else None
    for (i0, i1, j0, j1), shape in zip(beads, kinds, strict=True):
        sims.append(_cell(sc.sims[shape], band, i1, j1))
        one_sided = i0 == i1 or j0 == j1
        scores.append(0.0 if one_sided else _cell(sc.S[shape], band, i1, j1))
        lx, ly = float(x.lengths[i0:i1].sum()), float(y.lengths[j0:j1].sum())
        gaps.append(0.0 if one_sided else abs(math.log((ly + 10.0) / (lx + 10.0)) - typical))
        if B is None:
            deltas.append(0.0)
            continue
        alt = _NEG
        f_u, b_v = _cell(F, band, i0, j0), _cell(B, band, i1, j1)
        for other in sc.shapes:
            if other == shape:
                continue
            a, b = other
            end_i, end_j = i0 + a, j0 + b
            alt = max(alt, f_u + _cell(sc.S[other], band, end_i, end_j) + _cell(B, band, end_i, end_j))
            alt = max(alt, _cell(F, band, i1 - a, j1 - b) + _cell(sc.S[other], band, i1, j1) + b_v)
        deltas.append(total - alt if alt > _NEG / 2 else 10.0)
    return _Found(beads, deltas, sims, scores, gaps)


_COARSE_SHAPES = ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2))


def _search(
    x: SideData, y: SideData, p: AlignParams, shapes: Sequence[tuple[int, int]], rivals: bool
) -> _Found:
    """Coarse-to-fine: search averaged blocks first, then only a band around their path."""
    n, m = len(x), len(y)
    if (n + 1) * (m + 1) <= p.full_limit:
        return _solve(x, y, _full_band(n, m), p, shapes, rivals)
    f = p.coarse_factor
    coarse = _search(_downsample(x, f), _downsample(y, f), p, _COARSE_SHAPES, rivals=False)
    band = _band_around(coarse.beads, n, m, f, p.band)
    return _solve(x, y, band, p, shapes, rivals)


# confidence = logistic(weights . confidence_features(...)), fitted on the Text+Berg dev document
# (benchmarks/textberg.py --dev --fit)
CONFIDENCE_FEATURES: tuple[str, ...] = (
    "bias", "delta", "similarity", "skip", "neighbour", "score", "gap", "many", "size"
)  # fmt: skip
CONFIDENCE_WEIGHTS: tuple[float, ...] = (5.66, 6.44, -8.73, -5.19, 5.02, 9.34, -3.35, 1.21, -0.75)


def confidence_features(
    delta: float,
    similarity: float,
    skip: bool,
    neighbour: float = 1.0,
    score: float = 0.0,
    gap: float = 0.0,
    size: int = 2,
) -> np.ndarray:
    """The evidence, in the order of ``CONFIDENCE_FEATURES``: the score lost to the best rival bead
    (capped at 1), the raw similarity, a 0-1/1-0 bead, the smaller capped delta of the neighbouring
    beads (a doubt spreads), the bead's own score, how far its length ratio is from the texts' one,
    a many-sentence bead, and the number of sentences in it."""
    clip = min(max(delta, 0.0), 1.0)
    many = not skip and size > 2
    return np.array([1.0, clip, similarity, float(skip), neighbour, score, gap, float(many), float(size)])


def confidence(
    delta: float,
    similarity: float,
    skip: bool,
    neighbour: float = 1.0,
    score: float = 0.0,
    gap: float = 0.0,
    size: int = 2,
) -> float:
    """How sure the link is: mostly how much the best path loses if a rival bead replaces it."""
    z = float(
        np.dot(CONFIDENCE_WEIGHTS, confidence_features(delta, similarity, skip, neighbour, score, gap, size))
    )
    return round(1.0 / (1.0 + math.exp(-z)), 4)


def align_sides(
    x: SideData, y: SideData, params: AlignParams = DEFAULT_PARAMS, fixed: Sequence[Bead] = ()
) -> list[Bead]:
    """Align two prepared sides; ``fixed`` beads are kept as they are.

    Fixed beads with sentences on both sides are anchors that cut the search into stretches. A
    fixed bead with nothing on one side (a sentence marked as having no counterpart) cannot say
    where it sits on the other side, so the stretch is aligned as usual and its sentences are then
    taken out of the machine beads and put back as the fixed bead, in reading order.
    """
    n, m = len(x), len(y)
    anchors = sorted((b for b in fixed if b.pivot and b.witness), key=lambda bead: bead.pivot[0])
    one_sided = [b for b in fixed if not (b.pivot and b.witness)]
    _check_fixed(anchors, n, m)
    _check_one_sided(one_sided, anchors, n, m)
    beads: list[Bead] = []
    i = j = 0
    stops = [*anchors, None]
    for stop in tqdm(stops, desc="aligning", disable=len(stops) < 50, leave=False):
        i_end = n if stop is None else stop.pivot[0]
        j_end = m if stop is None else stop.witness[0]
        beads.extend(_align_stretch(x, y, i, i_end, j, j_end, params))
        if stop is not None:
            beads.append(Bead(tuple(stop.pivot), tuple(stop.witness), 1.0, stop.resp, stop.note))
            i, j = stop.pivot[-1] + 1, stop.witness[-1] + 1
    for bead in one_sided:
        beads = _place_one_sided(beads, bead)
    return beads


def _place_one_sided(beads: list[Bead], fixed: Bead) -> list[Bead]:
    """Take a fixed 0-k (or k-0) bead's sentences out of the machine beads and insert it in order."""
    side: Side = "pivot" if fixed.pivot else "witness"
    taken = side_of(fixed, side)
    first, last = taken[0], taken[-1]
    out: list[Bead] = []
    placed = False
    for bead in beads:
        own = side_of(bead, side)
        if not own or own[-1] < first or own[0] > last or bead.resp is not None:
            out.append(bead)
            continue
        before = tuple(k for k in own if k < first)
        after = tuple(k for k in own if k > last)
        other = bead.witness if side == "pivot" else bead.pivot
        if before or other:
            out.append(with_side(bead, side, before))
        if not placed:
            out.append(Bead(tuple(fixed.pivot), tuple(fixed.witness), 1.0, fixed.resp, fixed.note))
            placed = True
        if after:
            out.append(with_side(Bead((), (), bead.confidence), side, after))
    return out


def _check_fixed(anchors: Sequence[Bead], n: int, m: int) -> None:
    """Anchors must be consecutive on each side, in order, inside the texts, and not overlap."""
    i = j = 0
    for bead in anchors:
        label = f"fixed bead {list(bead.pivot)}:{list(bead.witness)}"
        for side, idx, start, size in (("pivot", bead.pivot, i, n), ("witness", bead.witness, j, m)):
            if list(idx) != list(range(idx[0], idx[0] + len(idx))):
                raise AlignerError(f"{label}: {side} not consecutive")
            if idx[0] < start or idx[-1] >= size:
                raise AlignerError(f"{label} overlaps another or is out of range")
        i, j = bead.pivot[-1] + 1, bead.witness[-1] + 1


def _check_one_sided(one_sided: Sequence[Bead], anchors: Sequence[Bead], n: int, m: int) -> None:
    used = {("pivot", k) for b in anchors for k in b.pivot} | {
        ("witness", k) for b in anchors for k in b.witness
    }
    for bead in one_sided:
        side, idx, size = ("pivot", bead.pivot, n) if bead.pivot else ("witness", bead.witness, m)
        label = f"fixed bead {list(bead.pivot)}:{list(bead.witness)}"
        if not idx:
            raise AlignerError("a fixed bead is empty on both sides")
        if list(idx) != list(range(idx[0], idx[0] + len(idx))):
            raise AlignerError(f"{label}: {side} not consecutive")
        if idx[0] < 0 or idx[-1] >= size or any((side, k) in used for k in idx):
            raise AlignerError(f"{label} overlaps another or is out of range")
        used |= {(side, k) for k in idx}


def _align_stretch(
    x: SideData, y: SideData, i0: int, i1: int, j0: int, j1: int, p: AlignParams
) -> list[Bead]:
    if i1 - i0 <= 0 or j1 - j0 <= 0:  # nothing to choose: the rest of one side is unmatched
        return [Bead((i,), (), 1.0) for i in range(i0, i1)] + [Bead((), (j,), 1.0) for j in range(j0, j1)]
    found = _search(x.slice(i0, i1), y.slice(j0, j1), p, p.shapes, rivals=True)
    return [
        Bead(tuple(range(i0 + r0, i0 + r1)), tuple(range(j0 + c0, j0 + c1)), confidence(**found.evidence(k)))
        for k, (r0, r1, c0, c1) in enumerate(found.beads)
    ]


# How strongly a block is set apart: a heading, a title line or a source line stands alone (a link
# should not run across it), a numbered point opens a unit, a paragraph break is weaker evidence.
_BLOCK_WEIGHT = {"title": 2.0, "heading": 2.0, "source": 2.0, "point": 1.0, "paragraph": 0.5}
_HEADING_GROUP = {"title", "heading"}


def structure_starts(witness: Witness) -> np.ndarray:
    """How strongly each segment opens a unit: the stronger of the blocks on either side of the break.

    Lines of one heading group (a heading and its dateline, the lines of a title page) may be cut
    differently in two witnesses, so a break between them is only as strong as a paragraph break.
    """
    out = np.zeros(len(witness.segments))
    at, before = 0, None
    for block in witness.blocks:
        if not block.segments:
            continue
        weight = _BLOCK_WEIGHT.get(block.kind, 0.5)
        if before is None:
            out[at] = weight
        elif block.kind in _HEADING_GROUP and before.kind in _HEADING_GROUP:
            out[at] = _BLOCK_WEIGHT["paragraph"]
        else:
            out[at] = max(weight, _BLOCK_WEIGHT.get(before.kind, 0.5))
        before = block
        at += len(block.segments)
    return out


def align_pair(
    pivot: Witness,
    witness: Witness,
    embedder: Embedder,
    fixed: Sequence[Bead] = (),
    params: AlignParams = DEFAULT_PARAMS,
) -> PairAlignment:
    """Align a witness with the pivot: monotonic beads covering both texts once, each with a confidence."""
    if not pivot.segments:
        raise AlignerError(f"witness {pivot.id} has no text to align")
    if not witness.segments:
        raise AlignerError(f"witness {witness.id} has no text to align")
    max_k = max(max(a, b) for a, b in params.shapes)
    x = side_data(
        [s.text for s in pivot.segments], embedder, structure_starts(pivot), max_k, f"embedding {pivot.id}"
    )
    y = side_data(
        [s.text for s in witness.segments],
        embedder,
        structure_starts(witness),
        max_k,
        f"embedding {witness.id}",
    )
    return PairAlignment(pivot.id, witness.id, align_sides(x, y, params, fixed))
