"""Strict/lax precision, recall and F1 of alignments (read with ``aligner.alignment``).

The metrics are those of Vecalign's ``score.py`` (after Sennrich & Volk 2011), so figures compare
with the published ones: precision over every predicted bead, insertions and deletions included;
recall over the gold beads with both sides non-empty, against the predicted beads with both sides
non-empty; counts summed over documents before dividing.

A gold made over other sentences than the tool's (end to end from raw text) is scored after
``project_beads`` has carried the tool's beads onto the gold's sentences by their words
(``reference_map``). Two translations with golds against the same original are scored against each
other through a gold composed from those two (``compose_golds``).

The confidence is judged as the benchmarks print it: a bead is *wrong* when it is not exactly a gold bead
(strict, as precision counts it); the share of the wrong beads among the 10% least confident; the share
below the review threshold against the share wrong; and a reliability diagram (predicted against observed
share right, per bin), since a confidence is meant as the probability that the bead is right.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

import numpy as np

from aligner.alignment import Bead
from aligner.errors import AlignerError

Pair = tuple[tuple[int, ...], tuple[int, ...]]


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


def compose_golds(first: Iterable[Bead | Pair], second: Iterable[Bead | Pair]) -> list[Bead]:
    """Two golds over one shared text, each written ``[own]:[shared]``, as one gold ``[first]:[second]``
    (an English and a Chinese translation, each aligned with the Russian, as English against Chinese).

    The beads are the connected components of the graph first—shared—second: beads of either gold
    that hold a shared sentence in common are one bead. Where the two golds group the shared text
    differently (a Russian pair one translator joined and the other did not) the component is larger
    than either gold's beads, as it must be: it is the smallest group that says the same thing on both
    sides. A component with nothing on one side becomes one-sided beads, one sentence each (1-0, 0-1).
    """
    beads = [(0, own, shared) for own, shared in _pairs(first)]
    beads += [(1, own, shared) for own, shared in _pairs(second)]
    parent = list(range(len(beads)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    holder: dict[int, int] = {}
    for k, (_, _, shared) in enumerate(beads):
        for s in shared:
            parent[root(k)] = root(holder.setdefault(s, k))
    groups: dict[int, list[int]] = defaultdict(list)
    for k in range(len(beads)):
        groups[root(k)].append(k)
    out: list[Bead] = []
    second_alone: list[int] = []
    for members in groups.values():
        sides = [sorted({i for k in members if beads[k][0] == g for i in beads[k][1]}) for g in (0, 1)]
        if sides[0] and sides[1]:
            out.append(Bead(tuple(sides[0]), tuple(sides[1]), 1.0))
        else:
            out += [Bead((i,), (), 1.0) for i in sides[0]]
            second_alone += sides[1]
    out.sort(key=lambda bead: bead.pivot[0])
    for i in sorted(second_alone):  # after the last bead before it on the second side
        at = max((n + 1 for n, bead in enumerate(out) if bead.witness and bead.witness[0] < i), default=0)
        out.insert(at, Bead((), (i,), 1.0))
    return out


# hyphens inside a word, soft ones too, and a hyphen left at a line end ("diver- sion")
_JOINED = re.compile(r"(?<=\w)[-\u00ad\u2010\u2011]+\s*(?=\w)")
# scripts written without spaces between words: Han (with 々〆〇), hiragana, katakana
_UNSPACED = "\u3005-\u3007\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_WORD = re.compile(rf"[{_UNSPACED}]|[^\W{_UNSPACED}]+")


def comparable_words(text: str) -> list[str]:
    """The words of a sentence as two cleanings of one text share them: compatibility forms folded,
    case and ё folded, hyphens inside a word or at a line end dropped (``self-`` / ``satisfaction``
    re-joined by one cleaner and not the other), punctuation and spacing ignored. Chinese and Japanese
    have no spaces to find words by, so each of their characters is a unit of its own: a run of Han
    characters between two commas is one ``\\w+`` match, which a cleaner that cuts it (or drops a
    heading label ``一、`` before it) would leave unmatched as a whole."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    return _WORD.findall(_JOINED.sub("", folded))


def reference_map(segments: Sequence[str], reference: Sequence[str]) -> list[tuple[int, ...]]:
    """For each segment, the reference sentences (indices, ascending) whose words it holds.

    Both texts are reduced to streams of ``comparable_words``, the streams aligned word by word
    (``difflib.SequenceMatcher``: longest common blocks, recursively, no junk heuristic), and every
    matched word ties its segment to its reference sentence. So a segment that runs over a reference
    sentence boundary maps to both sentences; one of two segments a reference sentence was cut into maps
    to that sentence, as the other does; a segment with no word in the reference (a running header
    left in, a passage the reference does not cover) maps to none. Words only one side has (an OCR slip,
    a header) are simply not matched.
    """
    seg_words, seg_of = _stream(segments)
    ref_words, ref_of = _stream(reference)
    held: list[set[int]] = [set() for _ in segments]
    matcher = SequenceMatcher(None, seg_words, ref_words, autojunk=False)
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            held[seg_of[a + k]].add(ref_of[b + k])
    return [tuple(sorted(refs)) for refs in held]


def _stream(sentences: Sequence[str]) -> tuple[list[str], list[int]]:
    words: list[str] = []
    owner: list[int] = []
    for n, sentence in enumerate(sentences):
        found = comparable_words(sentence)
        words += found
        owner += [n] * len(found)
    return words, owner


def project_beads(
    beads: Sequence[Bead], pivot_map: Sequence[tuple[int, ...]], witness_map: Sequence[tuple[int, ...]]
) -> list[Bead]:
    """Beads over the tool's segments as beads over the reference sentences (maps: ``reference_map``).

    Each side becomes the reference sentences its segments hold; beads that then share a reference
    sentence on either side are one bead at the reference's granularity (a sentence the tool cut in two
    and linked in two beads) and are merged, with the lowest of their confidences; beads holding no
    reference sentence (outside the reference's passage) are dropped. A segment running over two
    reference sentences thus puts both in its bead, which is right only where the gold joins them too.
    """
    projected = [
        (
            {r for i in bead.pivot for r in pivot_map[i]},
            {r for j in bead.witness for r in witness_map[j]},
            bead.confidence,
        )
        for bead in beads
    ]
    projected = [item for item in projected if item[0] or item[1]]
    parent = list(range(len(projected)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for side in (0, 1):
        first: dict[int, int] = {}
        for k, item in enumerate(projected):
            for r in item[side]:
                parent[root(k)] = root(first.setdefault(r, k))
    groups: dict[int, list[int]] = defaultdict(list)
    for k in range(len(projected)):
        groups[root(k)].append(k)
    out = []
    for members in sorted(groups.values()):  # in the order of the tool's beads
        pivot = sorted(set().union(*(projected[k][0] for k in members)))
        witness = sorted(set().union(*(projected[k][1] for k in members)))
        out.append(Bead(tuple(pivot), tuple(witness), min(projected[k][2] for k in members)))
    return out


RELIABILITY_EDGES: tuple[float, ...] = (0.0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 1.0)
"""Bins of the reliability diagram: narrow near 1, where most beads are."""


@dataclass(frozen=True)
class ConfidenceQuality:
    """How well confidences single out the wrong beads (strict: a bead not exactly in the gold is wrong)."""

    beads: int
    wrong: int
    lowest_tenth: float
    """Share of the wrong beads among the 10% least confident beads (ties in bead order)."""
    flagged: float
    """Share of the beads below the review threshold."""
    caught: float
    """Share of the wrong beads below the review threshold."""

    @property
    def wrong_share(self) -> float:
        return self.wrong / self.beads if self.beads else 0.0

    @property
    def ratio(self) -> float | None:
        """Share flagged / share wrong (``None`` without wrong beads): 1 when flagging follows the errors."""
        return self.flagged / self.wrong_share if self.wrong else None


def confidence_quality(
    confidences: Sequence[float], wrong: Sequence[bool], threshold: float
) -> ConfidenceQuality:
    """The figures the confidence is judged by, for one document or several pooled."""
    conf = np.asarray(confidences, dtype=np.float64)
    bad = np.asarray(wrong, dtype=bool)
    if len(conf) != len(bad):
        raise AlignerError(f"{len(conf)} confidences for {len(bad)} beads")
    total = int(bad.sum())
    lowest = np.argsort(conf, kind="stable")[: math.ceil(0.1 * len(conf))]
    below = conf < threshold
    return ConfidenceQuality(
        beads=len(conf),
        wrong=total,
        lowest_tenth=float(bad[lowest].sum() / total) if total else 0.0,
        flagged=float(below.mean()) if len(conf) else 0.0,
        caught=float(bad[below].sum() / total) if total else 0.0,
    )


@dataclass(frozen=True)
class ReliabilityBin:
    """Beads whose confidence falls in ``[low, high)``: what they were predicted and how many were right."""

    low: float
    high: float
    beads: int
    predicted: float
    right: float


def reliability(
    confidences: Sequence[float], wrong: Sequence[bool], edges: Sequence[float] = RELIABILITY_EDGES
) -> list[ReliabilityBin]:
    """The reliability diagram: a calibrated confidence has ``right`` close to ``predicted`` in every bin
    (the last bin holds 1.0 too). Empty bins are left out."""
    conf = np.asarray(confidences, dtype=np.float64)
    right = ~np.asarray(wrong, dtype=bool)
    out = []
    for k, (low, high) in enumerate(itertools.pairwise(edges)):
        inside = (conf >= low) & ((conf < high) if k < len(edges) - 2 else (conf <= high))
        if inside.any():
            out.append(
                ReliabilityBin(
                    low, high, int(inside.sum()), float(conf[inside].mean()), float(right[inside].mean())
                )
            )
    return out


def calibration_error(bins: Sequence[ReliabilityBin]) -> float:
    """Expected calibration error: the bead-weighted mean gap between predicted and observed."""
    total = sum(b.beads for b in bins)
    return sum(b.beads * abs(b.predicted - b.right) for b in bins) / total if total else 0.0


def reliability_table(confidences: Sequence[float], wrong: Sequence[bool]) -> str:
    """The reliability diagram as text, one bin a line, with a bar of the observed share right."""
    bins = reliability(confidences, wrong)
    lines = [
        f"reliability (right = the bead is exactly a gold bead; ECE {calibration_error(bins):.3f}):",
        "  confidence     beads  predicted  observed",
    ]
    for b in bins:
        span = f"[{b.low:.2f}, {b.high:.2f}{']' if b.high >= 1 else ')'}"
        bar = "#" * round(20 * b.right)
        lines.append(f"  {span}  {b.beads:5d}   {b.predicted:.3f}     {b.right:.3f}  {bar}")
    return "\n".join(lines)


def quality_line(quality: ConfidenceQuality, threshold: float) -> str:
    """One line: wrong beads, the lowest-tenth figure, and what the review threshold lists."""
    q = quality
    ratio = "n/a" if q.ratio is None else f"{q.ratio:.2f}"
    return (
        f"{q.wrong} wrong (strict) of {q.beads} ({q.wrong_share:.1%}); {q.lowest_tenth:.1%} of them among "
        f"the 10% least confident; below {threshold}: {q.flagged:.1%} listed (ratio to wrong {ratio}), "
        f"{q.caught:.1%} of the wrong caught"
    )
