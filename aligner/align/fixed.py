"""Fixed beads (reviewed by hand) kept through a new alignment, and the checks they must pass.

Fixed beads with sentences on both sides are *anchors* that cut the search into stretches. A fixed
bead with nothing on one side (a sentence marked as having no counterpart) cannot say where it sits
on the other side: the stretch is aligned as usual, then its sentences are taken out of the machine
beads and put back as the fixed bead, in reading order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from aligner.alignment import Bead, Side, side_of, with_side
from aligner.errors import AlignerError

Evidence = TypeVar("Evidence")


def split_fixed(fixed: Sequence[Bead], n: int, m: int) -> tuple[list[Bead], list[Bead]]:
    """Anchors (in pivot order) and one-sided fixed beads, checked against texts of ``n`` and ``m``."""
    anchors = sorted((b for b in fixed if b.pivot and b.witness), key=lambda bead: bead.pivot[0])
    one_sided = [b for b in fixed if not (b.pivot and b.witness)]
    check_anchors(anchors, n, m)
    check_one_sided(one_sided, anchors, n, m)
    return anchors, one_sided


def kept(fixed: Bead) -> Bead:
    """A fixed bead as it enters the alignment: as it was; a reviewed one at confidence 1. An unreviewed
    one is a link a review changed but nobody approved yet (``review.PENDING``): its shape is the
    reviewer's and stays, and so does its confidence, so that it stays first in the review queue."""
    certainty = 1.0 if fixed.resp is not None else fixed.confidence
    return Bead(tuple(fixed.pivot), tuple(fixed.witness), certainty, fixed.resp, fixed.note)


def place_one_sided(
    beads: list[tuple[Bead, Evidence | None]], fixed: Bead
) -> list[tuple[Bead, Evidence | None]]:
    """Take a fixed 0-k (or k-0) bead's sentences out of the machine beads and insert it in order.

    Beads come with their evidence; a machine bead cut in pieces loses it (it no longer describes them).
    """
    side: Side = "pivot" if fixed.pivot else "witness"
    taken = side_of(fixed, side)
    first, last = taken[0], taken[-1]
    out: list[tuple[Bead, Evidence | None]] = []
    placed = False
    for bead, evidence in beads:
        own = side_of(bead, side)
        if not own or own[-1] < first or own[0] > last or bead.resp is not None:
            out.append((bead, evidence))
            continue
        before = tuple(k for k in own if k < first)
        after = tuple(k for k in own if k > last)
        other = bead.witness if side == "pivot" else bead.pivot
        # The other side's sentences stay with what is left of the bead: before the fixed sentences if
        # any of its own are, else after them (ru 86-88 : ja 90 less a reviewed ru 86 and an unaccepted
        # ru 87 is ru 88 : ja 90, not ja 90 alone and ru 88 alone).
        # When the fixed bead takes all of this side, the other side follows it, as ``review.detach``
        # leaves it: so the order of two one-sided beads (a 0-1 beside a 2-0) is the edition's, and
        # aligning again gives the same edition instead of swapping them each time.
        if before:
            out.append((with_side(bead, side, before), None))
        if not placed:
            out.append((kept(fixed), None))
            placed = True
        if after or (other and not before):
            rest = bead if other and not before else Bead((), (), bead.confidence)
            out.append((with_side(rest, side, after), None))
    return out


def check_anchors(anchors: Sequence[Bead], n: int, m: int) -> None:
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


def check_one_sided(one_sided: Sequence[Bead], anchors: Sequence[Bead], n: int, m: int) -> None:
    """One-sided fixed beads must be consecutive, inside the text, and share no sentence with another."""
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
