"""The data model every stage shares: beads, pair alignments, and the ``.align`` text format.

A *bead* groups consecutive pivot segments with consecutive segments of the other witness
(1-1, 2-1, 1-0, ...). Beads are in order and cover both texts exactly once. This module imports
nothing heavy, so the edition, export and review read alignments without loading the engine
(``aligner.align``), its embeddings or numpy.

The ``.align`` format (Vecalign's and Bertalign's) has one bead per line, ``[1,2]:[3]`` (0-based
pivot and witness indices); we may add a confidence as a third field (``[1,2]:[3]:0.9731``), which
other tools ignore.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from aligner.errors import AlignerError
from aligner.files import read_text, write_atomic

REVIEW_THRESHOLD: float = 0.7
"""Beads below this confidence are listed for review. The confidence is a probability that the bead is
right, so the share listed follows the share wrong (MAC-Dev, leave one chapter out: 15.2% listed, 12.2%
wrong; Text+Berg test 6.9% / 9.2%; every document within a factor 2; ``benchmarks/fit_confidence.py``);
an edition records the threshold it was made with, and that one wins when it is read back."""


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
    located: bool = field(default=False, compare=False)
    """One text was located in the other as an excerpt before the search (``align.excerpt``): said to
    the user when it is aligned, not kept in the edition."""
    match: float | None = field(default=None, compare=False)
    """How well the located excerpt matches where it was put (``align.excerpt.match_level``)."""
    above_chance: tuple[float, int] = field(default=(1.0, 0), compare=False)
    """The share of links more alike than their sentences shifted a little, and how many were compared
    (``align.confidence.links_above_chance``): low when the model does not read one of the texts."""


# ------------------------------------------------------------------------------ the .align format

_LINE = re.compile(r"^\[([\d,\s]*)\]\s*:\s*\[([\d,\s]*)\](?:\s*:\s*([0-9.eE+-]+))?\s*$")


def _indices(text: str) -> tuple[int, ...]:
    return tuple(int(t) for t in text.replace(" ", "").split(",") if t)


def _confidence(text: str | None) -> float | None:
    """The optional third field: a number from 0 to 1 (1.0 when absent); ``None`` if it is not one."""
    if text is None:
        return 1.0
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 0.0 <= value <= 1.0 else None


def parse_alignment(text: str, name: str = "alignment") -> list[Bead]:
    """Read beads (confidence 1.0 unless the line gives one)."""
    beads = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        match = _LINE.match(line.strip())
        confidence = _confidence(match.group(3)) if match else None
        if match is None or confidence is None:
            raise AlignerError(
                f"{name}, line {number}: not an alignment link like [1,2]:[3] or [1,2]:[3]:0.95: "
                f"{line.strip()[:60]}"
            )
        beads.append(Bead(_indices(match.group(1)), _indices(match.group(2)), confidence))
    return beads


def read_alignment(path: Path) -> list[Bead]:
    text = read_text(path, "alignment file")
    beads = parse_alignment(text, str(path))
    if not beads:
        raise AlignerError(f"{path} holds no alignment links")
    return beads


def format_alignment(beads: Iterable[Bead], with_confidence: bool = True) -> str:
    lines = []
    for bead in beads:
        line = f"[{','.join(map(str, bead.pivot))}]:[{','.join(map(str, bead.witness))}]"
        lines.append(f"{line}:{bead.confidence:.4f}" if with_confidence else line)
    return "".join(f"{line}\n" for line in lines)


def write_alignment(path: Path, beads: Iterable[Bead], with_confidence: bool = True) -> Path:
    write_atomic(path, format_alignment(beads, with_confidence).encode("utf-8"))
    return Path(path)
