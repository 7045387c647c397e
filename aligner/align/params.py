"""Every number the alignment depends on, in one place, each with the line that says what it does.

The weights were tuned on the Text+Berg dev document, then on MAC-Dev (zh-en) and checked on Text+Berg
test and enru-dev (``benchmarks/textberg.py``, ``mac.py``, ``enru_dev.py``; the experiments are in
docs/align.md). An edition records all of them (``parameter_record``), so a scholar can tell which
settings made it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from aligner.errors import AlignerError

SHAPES: tuple[tuple[int, int], ...] = (
    (1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (3, 1), (1, 3), (2, 2), (2, 3), (3, 2), (1, 4), (4, 1),
    (1, 5), (5, 1),
)  # fmt: skip

MARGIN_MODES: tuple[str, ...] = ("knn", "adjacent")
"""The values of ``AlignParams.margin_mode``."""
LENGTH_MODES: tuple[str, ...] = ("plus10", "symmetric")
"""The values of ``AlignParams.length_mode``."""


@dataclass(frozen=True)
class AlignParams:
    """The scoring weights and search limits of the aligner (see docs/align.md for each term)."""

    shapes: tuple[tuple[int, int], ...] = SHAPES
    """Bead shapes the search may use: (pivot sentences, witness sentences)."""
    skip_score: float = -0.15
    """Score of a bead with no counterpart (1-0 or 0-1): the price of leaving a sentence unlinked."""
    margin_weight: float = 0.8
    """Weight of the mean similarity of each side's nearest neighbours, subtracted from a bead's
    similarity (LASER's margin: a sentence similar to everything attracts no links)."""
    margin_neighbours: int = 4
    """How many nearest neighbours on the other side the margin averages (``margin_mode`` "knn")."""
    margin_mode: str = "adjacent"
    """Which similarity the margin subtracts: "knn", the mean of each side's ``margin_neighbours`` nearest
    sentences on the other side; "adjacent", Bertalign's, each side's cosine with the sentences just
    before and just after the bead on the other side."""
    margin_window_pad: int = 4
    """Neighbours are sought in the search band widened by this many times ``margin_neighbours``."""
    length_weight: float = 0.25
    """Weight of |log(bead length ratio) - log(the texts' length ratio)|, subtracted."""
    length_square_weight: float = 0.1
    """Weight of the square of that gap, also subtracted for beads of ``length_square_from`` sentences or
    more: a long bead is believable only where its lengths fit (Gale-Church's cost grows with the square
    of the deviation), so a lost paragraph is not swallowed by a 5-1 bead."""
    length_square_from: int = 6
    """Sentences (both sides together) from which a bead pays the squared length gap: 1-5, 5-1."""
    length_smoothing: float = 10.0
    """Characters added to both sides of a bead before its length ratio, so short beads do not swing."""
    length_mode: str = "symmetric"
    """How the length ratio is smoothed: "plus10", ``log((ly + s) / (lx + s))`` minus the texts' log ratio;
    "symmetric", ``log((ly / sqrt(R) + s) / (lx * sqrt(R) + s))`` with R the texts' ratio: both lengths
    first brought into the same units, halfway between x's and y's, so the smoothing weighs alike on a
    dense and a sparse script (Chinese and English) and the score is the same whichever text is the pivot."""
    penalty_2_1: float = 0.0
    """Penalty of a 2-1 or 1-2 bead."""
    penalty_3_1: float = 0.03
    """Penalty of a 3-1 or 1-3 bead, times the sentences beyond two on the long side (4-1: twice)."""
    penalty_2_2: float = 0.06
    """Penalty of a 2-2 bead."""
    penalty_2_3: float = 0.06
    """Penalty of a 2-3 or 3-2 bead and of every larger bead with two or more sentences on both sides."""
    structure_weight: float = 0.15
    """Weight of the structure term: a block boundary inside a bead, or a block start on one side only."""
    numbers_weight: float = 0.05
    """Weight of the cosine of the numbers of a bead's two sides (after the mismatch cost)."""
    number_mismatch: float = 1.0
    """Subtracted from the numbers cosine where either side has a number: a mismatch costs, agreement is
    neutral."""
    ngrams_weight: float = 0.10
    """Weight of the cosine of the character 4-grams of the words of a bead's two sides (names, cognates)."""
    dialogue_weight: float = 0.05
    """Subtracted from a bead where one side opens a quotation and the other none (dialogue against
    narration), and again where one side's first sentence opens a line of dialogue and the other's not."""
    full_search_cells: int = 6_000_000
    """Above this many DP nodes the search is coarse-to-fine (Vecalign's recursive downsampling)."""
    coarse_block: int = 8
    """Sentences averaged into one block for the coarse search."""
    band_radius: int = 12
    """Sentences the fine search may stray from the projected coarse path, on either side."""
    temperature: float = 0.1
    """Of the soft-max over all paths that gives each bead's posterior (a confidence feature only)."""

    def __post_init__(self) -> None:
        if self.margin_mode not in MARGIN_MODES:
            raise AlignerError(f"margin_mode {self.margin_mode!r} is not one of {', '.join(MARGIN_MODES)}")
        if self.length_mode not in LENGTH_MODES:
            raise AlignerError(f"length_mode {self.length_mode!r} is not one of {', '.join(LENGTH_MODES)}")

    @property
    def max_run(self) -> int:
        """The most sentences a bead holds on one side: the longest run to embed."""
        return max(max(a, b) for a, b in self.shapes)


DEFAULT_PARAMS = AlignParams()


def _shapes_text(shapes: tuple[tuple[int, int], ...]) -> str:
    return " ".join(f"{a}-{b}" for a, b in shapes)


def _shapes(text: str) -> tuple[tuple[int, int], ...]:
    try:
        shapes = tuple((int(a), int(b)) for a, b in (item.split("-") for item in text.split()))
    except ValueError:
        raise AlignerError(f"bead shapes {text!r} are not like '1-1 1-0 0-1 2-1'") from None
    if not shapes or any(a < 0 or b < 0 or a + b == 0 for a, b in shapes):
        raise AlignerError(f"bead shapes {text!r} are not like '1-1 1-0 0-1 2-1'")
    return shapes


def params_record(params: AlignParams) -> dict[str, str]:
    """Every field of ``params`` as text, by field name: what an edition records."""
    return {
        f.name: _shapes_text(value) if f.name == "shapes" else str(value)
        for f in dataclasses.fields(params)
        for value in [getattr(params, f.name)]
    }


def params_from_record(record: dict[str, str]) -> AlignParams:
    """The parameters an edition records (fields it does not record keep their defaults)."""
    values: dict[str, object] = {}
    for f in dataclasses.fields(AlignParams):
        if f.name not in record:
            continue
        text = record[f.name]
        default = getattr(DEFAULT_PARAMS, f.name)
        try:
            values[f.name] = _shapes(text) if f.name == "shapes" else type(default)(text)
        except ValueError:
            raise AlignerError(f"parameter {f.name}: {text!r} is not a {type(default).__name__}") from None
    return AlignParams(**values)  # type: ignore[arg-type]
