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
from dataclasses import dataclass

import numpy as np

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
