"""Aligning two sides, or a witness with the pivot: the coarse-to-fine search over the stretches
between fixed beads, and a confidence for every bead."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from tqdm import tqdm

from aligner.align.band import band_around, downsample, full_band
from aligner.align.confidence import BeadEvidence, confidence, confidence_record, links_above_chance
from aligner.align.dp import Found, solve
from aligner.align.excerpt import covers_part, is_partial, locate, match_level, may_be_partial
from aligner.align.features import SideData, boundary_strengths, side_datas
from aligner.align.fixed import kept, place_one_sided, split_fixed
from aligner.align.params import DEFAULT_PARAMS, AlignParams, params_record
from aligner.alignment import Bead, PairAlignment
from aligner.embed import Embedder
from aligner.errors import AlignerError
from aligner.witness import Witness

COARSE_SHAPES: tuple[tuple[int, int], ...] = ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2))
"""Bead shapes of the coarse search over blocks of sentences."""

_PROGRESS_FROM = 50  # stretches between fixed beads from which a progress bar is worth showing


def search(
    x: SideData, y: SideData, p: AlignParams, shapes: Sequence[tuple[int, int]], rivals: bool
) -> Found:
    """Coarse-to-fine: search averaged blocks first, then only a band around their path."""
    n, m = len(x), len(y)
    if (n + 1) * (m + 1) <= p.full_search_cells:
        return solve(x, y, full_band(n, m), p, shapes, rivals)
    f = p.coarse_block
    coarse = search(downsample(x, f), downsample(y, f), p, COARSE_SHAPES, rivals=False)
    band = band_around(coarse.beads, n, m, f, p.band_radius)
    return solve(x, y, band, p, shapes, rivals)


def align_with_evidence(
    x: SideData,
    y: SideData,
    params: AlignParams = DEFAULT_PARAMS,
    fixed: Sequence[Bead] = (),
    span: tuple[int, int] | None = None,
    boxes: list[Box] | None = None,
) -> list[tuple[Bead, BeadEvidence | None]]:
    """``align_sides``, each bead with the evidence its confidence was computed from (``None`` for
    fixed beads and beads forced by them): what benchmarks fit and study the confidence on.

    ``span``: the pivot sentences ``start .. stop-1`` that the witness translates, given by hand
    (``--range``); ``covered_boxes`` decides where in it (or in the whole pivot, ``None``) to search,
    unless the caller has ``boxes`` from it already.

    With fixed beads, a machine bead that the free search (no fixed beads) also found keeps the free
    search's confidence and evidence: anchors cut the search into stretches, which changes rivals,
    posteriors and neighbours far away, and a review must change only the links it touches (issue 10).
    """
    boxes = covered_boxes(x, y, span) if boxes is None else boxes
    constrained = _constrained(x, y, params, fixed, boxes)
    if not fixed:
        return constrained
    unanchored = _constrained(x, y, params, (), boxes)
    free = {(bead.pivot, bead.witness): (bead, evidence) for bead, evidence in unanchored}
    reviewed = {(tuple(bead.pivot), tuple(bead.witness)) for bead in fixed}
    out: list[tuple[Bead, BeadEvidence | None]] = []
    for bead, evidence in constrained:
        key = (bead.pivot, bead.witness)
        same = None if key in reviewed else free.get(key)
        out.append((bead, evidence) if same is None else same)
    return out


def _constrained(
    x: SideData,
    y: SideData,
    params: AlignParams,
    fixed: Sequence[Bead],
    boxes: list[Box],
) -> list[tuple[Bead, BeadEvidence | None]]:
    """The search over the stretches between anchors within ``boxes`` (``covered_boxes``), one-sided
    fixed beads put back afterwards."""
    n, m = len(x), len(y)
    anchors, one_sided = split_fixed(fixed, n, m)
    beads: list[tuple[Bead, BeadEvidence | None]] = []
    i = j = 0
    stops = [*anchors, None]
    quiet = len(stops) < _PROGRESS_FROM or not sys.stderr.isatty()  # no carriage returns in a log
    for stop in tqdm(stops, desc="aligning", unit=" stretches", disable=quiet, leave=False):
        i_end = n if stop is None else stop.pivot[0]
        j_end = m if stop is None else stop.witness[0]
        beads.extend(_clipped_stretch(x, y, (i, i_end, j, j_end), boxes, params))
        if stop is not None:
            beads.append((kept(stop), None))
            i, j = stop.pivot[-1] + 1, stop.witness[-1] + 1
    for bead in one_sided:
        beads = place_one_sided(beads, bead)
    return beads


def align_sides(
    x: SideData,
    y: SideData,
    params: AlignParams = DEFAULT_PARAMS,
    fixed: Sequence[Bead] = (),
    span: tuple[int, int] | None = None,
    boxes: list[Box] | None = None,
) -> list[Bead]:
    """Align two prepared sides: monotonic beads covering both once; ``fixed`` beads are kept as they are
    (see ``aligner.align.fixed``); ``span`` and ``boxes`` as in ``align_with_evidence``."""
    return [bead for bead, _ in align_with_evidence(x, y, params, fixed, span, boxes)]


Box = tuple[int, int, int, int]
"""Where the search may link sentences: pivot ``i0 .. i1-1`` with witness ``j0 .. j1-1``."""


def whole_box(x: SideData, y: SideData, pivot_span: tuple[int, int] | None = None) -> Box:
    """The search's box when nothing is located: the pivot (or its ``pivot_span``) with the whole witness."""
    i0, i1 = (0, len(x)) if pivot_span is None else pivot_span
    return i0, i1, 0, len(y)


def covered_boxes(x: SideData, y: SideData, pivot_span: tuple[int, int] | None = None) -> list[Box]:
    """Where the search may link sentences, in reading order: both texts whole (within ``pivot_span``,
    the pivot sentences given by hand, if any), or, when one side is much shorter than the other
    (``excerpt.is_partial``), or somewhat shorter and found to cover only part of it
    (``excerpt.may_be_partial``, ``excerpt.covers_part``), the pieces of the long side that it
    translates, located first. A witness much shorter than its ``pivot_span`` is located within it (a
    range given roughly, a chapter's sentences for an excerpt of it)."""
    whole = [whole_box(x, y, pivot_span)]
    i0, i1, _, m = whole[0]
    k = i1 - i0
    if not k or not m or (pivot_span is not None and m > k):
        return whole  # a range is the user's word: the witness is not cut to fit it
    if not is_partial(k, m) and not may_be_partial(k, m):
        return whole
    pivot = x if pivot_span is None else x.slice(i0, i1)
    if m < k:
        pieces = locate(y, pivot)
        boxes = [(i0 + a0, i0 + a1, b0, b1) for b0, b1, a0, a1 in pieces]
    else:
        pieces = locate(pivot, y)
        boxes = [(i0 + a0, i0 + a1, b0, b1) for a0, a1, b0, b1 in pieces]
    if not is_partial(k, m) and not covers_part(pieces, max(k, m)):
        return whole
    return boxes


def _clipped_stretch(
    x: SideData,
    y: SideData,
    stretch: tuple[int, int, int, int],
    boxes: list[Box],
    p: AlignParams,
) -> list[tuple[Bead, BeadEvidence | None]]:
    """A stretch aligned within each covered box; its sentences outside them are left unmatched."""
    i, i_end, j, j_end = stretch
    out: list[tuple[Bead, BeadEvidence | None]] = []
    for a0, a1, b0, b1 in boxes:
        i0, j0 = min(max(i, a0), i_end), min(max(j, b0), j_end)
        i1, j1 = min(max(i0, a1), i_end), min(max(j0, b1), j_end)
        out += [(Bead((k,), (), 1.0), None) for k in range(i, i0)]
        out += [(Bead((), (k,), 1.0), None) for k in range(j, j0)]
        out += _align_stretch(x, y, i0, i1, j0, j1, p)
        i, j = i1, j1
    out += [(Bead((k,), (), 1.0), None) for k in range(i, i_end)]
    return out + [(Bead((), (k,), 1.0), None) for k in range(j, j_end)]


def _align_stretch(
    x: SideData, y: SideData, i0: int, i1: int, j0: int, j1: int, p: AlignParams
) -> list[tuple[Bead, BeadEvidence | None]]:
    if i1 - i0 <= 0 or j1 - j0 <= 0:  # nothing to choose: the rest of one side is unmatched
        return [(Bead((i,), (), 1.0), None) for i in range(i0, i1)] + [
            (Bead((), (j,), 1.0), None) for j in range(j0, j1)
        ]
    found = search(x.slice(i0, i1), y.slice(j0, j1), p, p.shapes, rivals=True)
    out: list[tuple[Bead, BeadEvidence | None]] = []
    for k, (r0, r1, c0, c1) in enumerate(found.beads):
        evidence = found.evidence(k)
        bead = Bead(tuple(range(i0 + r0, i0 + r1)), tuple(range(j0 + c0, j0 + c1)), confidence(evidence))
        out.append((bead, evidence))
    return out


def witness_sides(witnesses: Sequence[Witness], embedder: Embedder, params: AlignParams) -> list[SideData]:
    """Witnesses ready for alignment: their sentences embedded (side by side where the embedder
    allows, ``side_datas``), with their boundary strengths."""
    return side_datas(
        [[s.text for s in w.segments] for w in witnesses],
        embedder,
        [boundary_strengths(w) for w in witnesses],
        params.max_run,
        [f"embedding {w.id}" for w in witnesses],
    )


def align_pair(
    pivot: Witness,
    witness: Witness,
    embedder: Embedder,
    fixed: Sequence[Bead] = (),
    params: AlignParams = DEFAULT_PARAMS,
    span: tuple[int, int] | None = None,
) -> PairAlignment:
    """Align a witness with the pivot: monotonic beads covering both texts once, each with a confidence.

    ``span``: the pivot sentences ``start .. stop-1`` the witness translates (an excerpt located by
    hand); the pivot's other sentences are left unaligned."""
    if span is not None and not 0 <= span[0] < span[1] <= len(pivot.segments):
        raise AlignerError(
            f"range s{span[0] + 1}-s{span[1]} is not within the {len(pivot.segments)} sentences of {pivot.id}"
        )
    if not pivot.segments:
        raise AlignerError(f"witness {pivot.id} has no text to align")
    if not witness.segments:
        raise AlignerError(f"witness {witness.id} has no text to align")
    x, y = witness_sides([pivot, witness], embedder, params)
    boxes = covered_boxes(x, y, span)
    beads = align_sides(x, y, params, fixed, span, boxes)
    located = boxes != [whole_box(x, y, span)]
    match = match_level(x, y, boxes) if located else None
    above_chance = links_above_chance(x, y, beads)
    return PairAlignment(pivot.id, witness.id, beads, located=located, match=match, above_chance=above_chance)


def parameter_record(params: AlignParams = DEFAULT_PARAMS) -> dict[str, str]:
    """Everything the alignment depended on, as an edition records it: every ``AlignParams`` field and
    the confidence weights."""
    return {**params_record(params), **confidence_record()}
