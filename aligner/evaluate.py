"""Alignments in the Vecalign/Bertalign text format, and strict/lax precision, recall and F1.

The format has one bead per line, ``[1,2]:[3]`` (0-based source and target indices); we may add a
confidence as a third field (``[1,2]:[3]:0.9731``), which other tools ignore. The metrics are those of
Vecalign's ``score.py`` (after Sennrich & Volk 2011), so figures compare with the published ones:
precision over every predicted bead, insertions and deletions included; recall over the gold beads
with both sides non-empty, against the predicted beads with both sides non-empty; counts summed over
documents before dividing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from aligner.align import Bead
from aligner.errors import AlignerError
from aligner.files import read_text, write_atomic

Pair = tuple[tuple[int, ...], tuple[int, ...]]
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
                f"{name}, line {number}: not an alignment bead like [1,2]:[3] or [1,2]:[3]:0.95: "
                f"{line.strip()[:60]}"
            )
        beads.append(Bead(_indices(match.group(1)), _indices(match.group(2)), confidence))
    return beads


def read_alignment(path: Path) -> list[Bead]:
    text = read_text(path, "alignment file")
    beads = parse_alignment(text, str(path))
    if not beads:
        raise AlignerError(f"{path} holds no alignment beads")
    return beads


def check_same_texts(predicted: Sequence[Bead], gold: Sequence[Bead], names: tuple[str, str]) -> None:
    """Scores of alignments of different texts (a wrong file, a shortened copy) mean nothing: refuse."""

    def sizes(beads: Sequence[Bead]) -> tuple[int, int]:
        return (
            max((i + 1 for bead in beads for i in bead.pivot), default=0),
            max((i + 1 for bead in beads for i in bead.witness), default=0),
        )

    if sizes(predicted) != sizes(gold):
        (p_src, p_tgt), (g_src, g_tgt) = sizes(predicted), sizes(gold)
        raise AlignerError(
            f"{names[0]} aligns {p_src} with {p_tgt} sentences but {names[1]} aligns {g_src} with {g_tgt}: "
            "not the same texts"
        )


def format_alignment(beads: Iterable[Bead], with_confidence: bool = True) -> str:
    lines = []
    for bead in beads:
        line = f"[{','.join(map(str, bead.pivot))}]:[{','.join(map(str, bead.witness))}]"
        lines.append(f"{line}:{bead.confidence:.4f}" if with_confidence else line)
    return "".join(f"{line}\n" for line in lines)


def write_alignment(path: Path, beads: Iterable[Bead], with_confidence: bool = True) -> Path:
    write_atomic(path, format_alignment(beads, with_confidence).encode("utf-8"))
    return Path(path)


@dataclass(frozen=True)
class Scores:
    precision_strict: float
    recall_strict: float
    f1_strict: float
    precision_lax: float
    recall_lax: float
    f1_lax: float

    def table(self) -> str:
        return (
            "              strict    lax\n"
            f"precision     {self.precision_strict:.3f}   {self.precision_lax:.3f}\n"
            f"recall        {self.recall_strict:.3f}   {self.recall_lax:.3f}\n"
            f"F1            {self.f1_strict:.3f}   {self.f1_lax:.3f}"
        )


def _pairs(beads: Iterable[Bead | Pair]) -> list[Pair]:
    out = []
    for bead in beads:
        src, tgt = (bead.pivot, bead.witness) if isinstance(bead, Bead) else bead
        out.append((tuple(src), tuple(tgt)))
    return out


def _counts(gold: Sequence[Pair], test: Sequence[Pair]) -> tuple[int, int, int, int]:
    """Strict true/false positives and lax true/false positives of ``test`` against ``gold``."""
    test_set = {bead for bead in test if bead[0] or bead[1]}
    gold_set = {bead for bead in gold if bead[0] or bead[1]}
    partners: dict[int, set[int]] = defaultdict(set)
    for src, tgt in gold_set:
        for s in src:
            partners[s].update(tgt)
    tp_strict = fp_strict = tp_lax = fp_lax = 0
    for bead in test_set:
        if bead in gold_set:
            tp_strict += 1
            tp_lax += 1
            continue
        fp_strict += 1
        targets = set().union(*(partners[s] for s in bead[0])) if bead[0] else set()
        if targets & set(bead[1]):
            tp_lax += 1
        else:
            fp_lax += 1
    return tp_strict, fp_strict, tp_lax, fp_lax


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score(gold_docs: Sequence[Iterable[Bead | Pair]], test_docs: Sequence[Iterable[Bead | Pair]]) -> Scores:
    """Strict and lax P/R/F1 over several documents, counts summed before dividing (Vecalign's score.py)."""
    if len(gold_docs) != len(test_docs):
        raise AlignerError(f"{len(test_docs)} predicted alignments for {len(gold_docs)} gold alignments")
    p = [0, 0, 0, 0]
    r = [0, 0, 0, 0]
    for gold_beads, test_beads in zip(gold_docs, test_docs, strict=True):
        gold, test = _pairs(gold_beads), _pairs(test_beads)
        p = [a + b for a, b in zip(p, _counts(gold, test), strict=True)]
        gold_both = [bead for bead in gold if bead[0] and bead[1]]
        test_both = [bead for bead in test if bead[0] and bead[1]]
        # recall is the precision of the gold beads against the predicted ones
        r = [a + b for a, b in zip(r, _counts(test_both, gold_both), strict=True)]
    ps, pl = _ratio(p[0], p[0] + p[1]), _ratio(p[2], p[2] + p[3])
    rs, rl = _ratio(r[0], r[0] + r[1]), _ratio(r[2], r[2] + r[3])
    return Scores(ps, rs, _f1(ps, rs), pl, rl, _f1(pl, rl))


def wrong_beads(gold: Iterable[Bead | Pair], test: Sequence[Bead]) -> list[bool]:
    """For each predicted bead, whether it is strictly wrong (not a gold bead)."""
    gold_set = {bead for bead in _pairs(gold) if bead[0] or bead[1]}
    return [(bead.pivot, bead.witness) not in gold_set for bead in test]
