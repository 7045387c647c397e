"""How sure a link is: a logistic model over the evidence the search leaves for each bead.

confidence = logistic(CONFIDENCE_WEIGHTS . confidence_features(evidence)), the weights fitted by logistic
regression on the Text+Berg dev document and the six MAC-Dev chapters (``benchmarks/mac.py --fit``, which
also gives the leave-one-chapter-out figures).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

CONFIDENCE_FEATURES: tuple[str, ...] = (
    "bias", "delta", "similarity", "skip", "neighbour", "score", "gap", "many", "size", "posterior"
)  # fmt: skip
CONFIDENCE_WEIGHTS: tuple[float, ...] = (-0.91, 1.83, 2.61, -1.09, 1.63, -4.72, -1.36, -0.21, -0.11, 5.05)


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
    """The evidence as the vector ``CONFIDENCE_FEATURES`` names: 1, the capped delta, the similarity, a
    0-1/1-0 bead, the neighbours' capped delta, the bead's score, its length gap, a many-sentence bead,
    the number of sentences in it, and its posterior over all paths."""
    e = evidence
    many = not e.skip and e.size > 2
    return np.array(
        [
            1.0,
            capped_delta(e.delta),
            e.similarity,
            float(e.skip),
            e.neighbour,
            e.score,
            e.gap,
            float(many),
            float(e.size),
            e.posterior,
        ]
    )


def confidence(evidence: BeadEvidence) -> float:
    """How sure the link is (0 to 1, four decimals): mostly its posterior over all paths and how much the
    best path loses to a rival bead."""
    z = float(np.dot(CONFIDENCE_WEIGHTS, confidence_features(evidence)))
    return round(1.0 / (1.0 + math.exp(-z)), 4)


def confidence_record() -> dict[str, str]:
    """The confidence weights as an edition records them: ``feature=weight`` pairs."""
    return {
        "confidence_weights": " ".join(
            f"{name}={weight}" for name, weight in zip(CONFIDENCE_FEATURES, CONFIDENCE_WEIGHTS, strict=True)
        )
    }
