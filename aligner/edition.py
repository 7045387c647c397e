"""The parallel edition: all witnesses, their alignment with the pivot, and its history, as TEI P5.

An ``Edition`` is what ``aligner align`` writes and what ``aligner review`` reads, changes and
writes back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aligner.align import PairAlignment
from aligner.witness import Witness


@dataclass(frozen=True)
class Change:
    """One entry of the ``revisionDesc``: who did what, when (ISO 8601)."""

    who: str
    when: str
    what: str


@dataclass
class Edition:
    """A pivot, the other witnesses, one pair alignment per other witness (same order), and history."""

    title: str
    pivot: Witness
    witnesses: list[Witness]
    alignments: list[PairAlignment]
    model: str = ""
    parameters: dict[str, str] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
