"""Alignment of a witness with the pivot: beads found by dynamic programming, each with a confidence.

A *bead* groups consecutive pivot segments with consecutive segments of the other witness
(1-1, 2-1, 1-0, ...). Beads are in order and cover both texts exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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


@dataclass
class PairAlignment:
    """All beads between the pivot and one other witness."""

    pivot_id: str
    witness_id: str
    beads: list[Bead] = field(default_factory=list)
