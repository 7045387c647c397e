"""The alignment engine: a witness aligned with the pivot by dynamic programming, each bead with a
confidence. The modules follow docs/align.md:

- ``params``: every weight and limit (``AlignParams``), one documented line each;
- ``features``: what the aligner knows of each side (``SideData``: embedded runs, lengths, block
  boundaries, lexical vectors);
- ``band``: where the search may go (coarse-to-fine band, downsampled blocks);
- ``scores``: the bead score, one function per term;
- ``dp``: forward, backward and traceback, and each bead's best rival;
- ``confidence``: the evidence of a bead (``BeadEvidence``) and its calibrated confidence, and whether
  the model reads both texts at all (``links_above_chance``);
- ``fixed``: reviewed beads kept through a new alignment;
- ``excerpt``: a much shorter text located in the longer one before the search;
- ``pair``: the search over stretches, and the public entry points.

The data model (``Bead``, ``PairAlignment``) is ``aligner.alignment``, which imports none of this.
"""

from aligner.align.confidence import (
    CONFIDENCE_FEATURES,
    CONFIDENCE_WEIGHTS,
    BeadEvidence,
    confidence,
    confidence_features,
    links_above_chance,
    reading_warning,
)
from aligner.align.excerpt import excerpt_warning
from aligner.align.features import SideData, boundary_strengths, lexical_features, side_data
from aligner.align.pair import align_pair, align_sides, align_with_evidence, parameter_record, witness_sides
from aligner.align.params import DEFAULT_PARAMS, SHAPES, AlignParams, params_from_record, params_record

__all__ = [
    "CONFIDENCE_FEATURES",
    "CONFIDENCE_WEIGHTS",
    "DEFAULT_PARAMS",
    "SHAPES",
    "AlignParams",
    "BeadEvidence",
    "SideData",
    "align_pair",
    "align_sides",
    "align_with_evidence",
    "boundary_strengths",
    "confidence",
    "confidence_features",
    "excerpt_warning",
    "lexical_features",
    "links_above_chance",
    "parameter_record",
    "params_from_record",
    "params_record",
    "reading_warning",
    "side_data",
    "witness_sides",
]
