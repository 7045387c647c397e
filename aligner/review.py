"""Review of doubtful links: find them, fix them by hand, and keep the fixes when aligning again.

The review operations are pure functions over a list of beads: each returns a new list, or raises
``AlignerError`` when the result would not cover both texts exactly once, in order. A decision marks as
reviewed only what the reviewer approved: an accepted link, a merged link (its whole content was named),
a sentence marked as having no counterpart. Those beads get ``resp`` (who) and confidence 1.0. A link
a decision changed without the reviewer seeing its new shape (both sides of a move, both parts of a
split, what is left after a sentence is detached) is *pending*: no ``resp``, confidence 0.0, so it
heads the queue of doubtful links until it is accepted or fixed. ``carry_reviews`` turns reviewed beads
into fixed constraints for the next alignment.

Policy when texts change between alignments: segments are matched by their exact text
(``difflib.SequenceMatcher`` over the old and the new segment lists). A reviewed bead whose sentences
all survive unchanged, and stay consecutive, is kept (with its new indices); a reviewed bead with a
changed, removed or separated sentence is dropped, reported and recorded in the edition's history,
and its sentences are aligned again by the machine.
"""

from __future__ import annotations

import difflib
import getpass
import itertools
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from aligner.alignment import Bead, PairAlignment, Side, side_of, with_side
from aligner.edition import Change, Edition, now
from aligner.errors import AlignerError
from aligner.witness import Witness

Direction = Literal["previous", "next"]
_SIDE_NAMES: dict[str, str] = {"pivot": "pivot", "witness": "witness"}


# --- who and when --------------------------------------------------------------------------------


def reviewer_name(given: str | None = None) -> str:
    """The reviewer: ``--reviewer``, else ``$ALIGNER_REVIEWER``, else the login name."""
    name = " ".join((given or os.environ.get("ALIGNER_REVIEWER") or _login_name()).split())
    if not name or not name.isprintable():
        raise AlignerError("who is reviewing? give --reviewer NAME or set ALIGNER_REVIEWER")
    return name


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def check_threshold(threshold: float) -> float:
    if not 0.0 <= threshold <= 1.0:
        raise AlignerError(f"threshold must be between 0 and 1, got {threshold:g}")
    return threshold


# --- the shape every decision must keep ----------------------------------------------------------


def check_cover(beads: Sequence[Bead], n_pivot: int, n_witness: int) -> None:
    """Beads must take every pivot and witness segment exactly once, in reading order, none empty."""
    pivot = [i for bead in beads for i in bead.pivot]
    witness = [i for bead in beads for i in bead.witness]
    if any(not bead.pivot and not bead.witness for bead in beads):
        raise AlignerError("a link would be left with no sentence on either side")
    if pivot != list(range(n_pivot)):
        raise AlignerError("the pivot sentences would no longer be linked once each, in order")
    if witness != list(range(n_witness)):
        raise AlignerError("the witness sentences would no longer be linked once each, in order")


def _reviewed(bead: Bead, reviewer: str) -> Bead:
    return replace(bead, confidence=1.0, resp=reviewer)


PENDING = 0.0
"""Confidence of a link changed by a decision but not yet approved: first in the review queue."""


def _pending(bead: Bead) -> Bead:
    """A link the reviewer changed but has not seen in its new shape: back in the queue, unreviewed."""
    return replace(bead, confidence=PENDING, resp=None)


def _no_neighbour(direction: Direction) -> str:
    return f"this is the {'first' if direction == 'previous' else 'last'} link: there is no {direction} link"


def _bead_at(beads: Sequence[Bead], index: int) -> Bead:
    if not 0 <= index < len(beads):
        raise AlignerError(f"there is no link {index + 1} (the alignment has {len(beads)})")
    return beads[index]


# --- the review operations -----------------------------------------------------------------------


def accept(beads: Sequence[Bead], index: int, reviewer: str) -> list[Bead]:
    """The link is right as it is."""
    result = list(beads)
    result[index] = _reviewed(_bead_at(beads, index), reviewer)
    return result


def annotate(beads: Sequence[Bead], index: int, note: str) -> list[Bead]:
    """A note on the link; it does not decide the link (the reviewer still accepts or fixes it)."""
    result = list(beads)
    result[index] = replace(_bead_at(beads, index), note=note.strip() or None)
    return result


def move(
    beads: Sequence[Bead],
    index: int,
    side: Side,
    direction: Direction,
    reviewer: str,
    segment: int | None = None,
) -> list[Bead]:
    """Move one sentence of ``side`` to the previous or next link; both links are then pending.

    Only the first sentence can go to the previous link and only the last to the next one: any
    other would cross the sentences that stay, and the order would break. By default the sentence
    at the right edge is moved.
    """
    bead = _bead_at(beads, index)
    own = side_of(bead, side)
    name = _SIDE_NAMES[side]
    if not own:
        raise AlignerError(f"this link has no {name} sentence to move")
    edge = own[0] if direction == "previous" else own[-1]
    segment = edge if segment is None else segment
    if segment not in own:
        raise AlignerError(f"that {name} sentence is not in this link")
    if segment != edge:
        which = "first" if direction == "previous" else "last"
        raise AlignerError(
            f"only the {which} {name} sentence of a link can move to the {direction} link: "
            "moving another one would break the order"
        )
    other = index - 1 if direction == "previous" else index + 1
    if not 0 <= other < len(beads):
        raise AlignerError(_no_neighbour(direction))
    neighbour = beads[other]
    if direction == "previous":
        neighbour = with_side(neighbour, side, (*side_of(neighbour, side), segment))
        bead = with_side(bead, side, own[1:])
    else:
        neighbour = with_side(neighbour, side, (segment, *side_of(neighbour, side)))
        bead = with_side(bead, side, own[:-1])
    result = list(beads)
    result[other] = _pending(neighbour)
    result[index] = _pending(bead)
    if not bead.pivot and not bead.witness:
        del result[index]
    return result


def merge(beads: Sequence[Bead], index: int, direction: Direction, reviewer: str) -> list[Bead]:
    """Join the link with the previous or next one (a 1-1 and a 0-1 become a 1-2, say)."""
    _bead_at(beads, index)
    other = index - 1 if direction == "previous" else index + 1
    if not 0 <= other < len(beads):
        raise AlignerError(_no_neighbour(direction))
    first, second = sorted((index, other))
    a, b = beads[first], beads[second]
    notes = [note for note in (a.note, b.note) if note]
    joined = Bead(a.pivot + b.pivot, a.witness + b.witness, 1.0, reviewer, " / ".join(notes) or None)
    return [*beads[:first], joined, *beads[second + 1 :]]


def split(
    beads: Sequence[Bead], index: int, pivot_first: int, witness_first: int, reviewer: str
) -> list[Bead]:
    """Cut the link in two: the first ``pivot_first`` pivot and ``witness_first`` witness sentences,
    then the rest. Both parts must keep at least one sentence; both are pending until accepted."""
    bead = _bead_at(beads, index)
    if not 0 <= pivot_first <= len(bead.pivot):
        raise AlignerError(
            f"the link has {len(bead.pivot)} pivot sentence(s): cannot put {pivot_first} first"
        )
    if not 0 <= witness_first <= len(bead.witness):
        raise AlignerError(
            f"the link has {len(bead.witness)} witness sentence(s): cannot put {witness_first} first"
        )
    head = Bead(bead.pivot[:pivot_first], bead.witness[:witness_first], PENDING, None, bead.note)
    tail = Bead(bead.pivot[pivot_first:], bead.witness[witness_first:], PENDING)
    if not (head.pivot or head.witness) or not (tail.pivot or tail.witness):
        raise AlignerError("each part of a split needs at least one sentence")
    return [*beads[:index], head, tail, *beads[index + 1 :]]


def detach(beads: Sequence[Bead], index: int, side: Side, segment: int, reviewer: str) -> list[Bead]:
    """Mark a sentence as having no counterpart: it becomes a link of its own (1-0 or 0-1), reviewed;
    what is left of the link is pending.

    Only the first or last sentence of a side can leave: a middle one would leave the link cut
    in two with no way to say where the other side is cut, so the order would break.
    """
    bead = _bead_at(beads, index)
    own = side_of(bead, side)
    name = _SIDE_NAMES[side]
    if segment not in own:
        raise AlignerError(f"that {name} sentence is not in this link")
    other_side = bead.witness if side == "pivot" else bead.pivot
    if len(own) == 1 and not other_side:
        raise AlignerError("that sentence already has no counterpart")
    if segment not in (own[0], own[-1]):
        raise AlignerError(
            f"only the first or last {name} sentence of a link can be detached: "
            "a middle one would break the order"
        )
    alone = _reviewed(with_side(Bead((), (), 1.0), side, (segment,)), reviewer)
    rest = _pending(with_side(bead, side, tuple(i for i in own if i != segment)))
    pair = [alone, rest] if segment == own[0] else [rest, alone]
    return [*beads[:index], *pair, *beads[index + 1 :]]


# --- finding the doubtful links -------------------------------------------------------------------


@dataclass(frozen=True)
class Doubt:
    """A doubtful link: which pair alignment, which bead."""

    alignment: int
    index: int
    bead: Bead


def pair_witness(edition: Edition, alignment: PairAlignment) -> Witness:
    for witness in edition.witnesses:
        if witness.id == alignment.witness_id:
            return witness
    raise AlignerError(f"the edition aligns {alignment.witness_id!r} but does not contain that witness")


def selected_alignments(edition: Edition, witness_id: str | None) -> list[int]:
    """Indices of the pair alignments to review: all of them, or the one with ``witness_id``."""
    if witness_id is None:
        return list(range(len(edition.alignments)))
    found = [k for k, pair in enumerate(edition.alignments) if pair.witness_id == witness_id]
    if not found:
        known = ", ".join(pair.witness_id for pair in edition.alignments) or "none"
        raise AlignerError(f"the edition has no alignment with witness {witness_id!r} (it has: {known})")
    return found


def doubtful(edition: Edition, threshold: float, alignments: Sequence[int]) -> list[Doubt]:
    """Links below the threshold that nobody reviewed yet, least confident first (ties: reading order)."""
    found = [
        Doubt(k, i, bead)
        for k in alignments
        for i, bead in enumerate(edition.alignments[k].beads)
        if bead.resp is None and bead.confidence < threshold
    ]
    return sorted(found, key=lambda d: (d.bead.confidence, d.alignment, d.index))


def counts(edition: Edition, threshold: float, alignments: Sequence[int]) -> tuple[int, int, int]:
    """All links, doubtful (unreviewed, below the threshold) and reviewed ones."""
    beads = [bead for k in alignments for bead in edition.alignments[k].beads]
    reviewed = sum(bead.resp is not None for bead in beads)
    return len(beads), len(doubtful(edition, threshold, alignments)), reviewed


# --- how a link reads ----------------------------------------------------------------------------


def link_label(bead: Bead, pivot_ids: Sequence[str], witness_ids: Sequence[str]) -> str:
    """``ru-1937.s12 ↔ en-1937.s14 en-1937.s15``: the words of the history entries."""
    left = " ".join(pivot_ids[i] for i in bead.pivot) or "(nothing)"
    right = " ".join(witness_ids[i] for i in bead.witness) or "(nothing)"
    return f"{left} ↔ {right}"


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def show_doubt(edition: Edition, doubt: Doubt, width: int = 100, labels: bool = False) -> list[str]:
    """Lines showing the link with both sides' text and one line of context before and after it."""
    pair = edition.alignments[doubt.alignment]
    witness = pair_witness(edition, pair)
    bead = doubt.bead
    sides = [
        ("p", bead.pivot, edition.pivot.segments, edition.pivot.segment_ids()),
        ("w", bead.witness, witness.segments, witness.segment_ids()),
    ]
    header = (
        f"link {doubt.index + 1} of {len(pair.beads)} ({pair.pivot_id} ↔ {pair.witness_id}) · "
        f"confidence {bead.confidence:.3f}"
    )
    lines = [header]
    before, inside, after = [], [], []
    # Where an empty side sits: after the sentences of the links before it.
    anchor = {
        "p": sum(len(prior.pivot) for prior in pair.beads[: doubt.index]),
        "w": sum(len(prior.witness) for prior in pair.beads[: doubt.index]),
    }
    for key, indices, segments, ids in sides:
        first = indices[0] if indices else anchor[key]
        last = indices[-1] if indices else anchor[key] - 1
        if first - 1 >= 0:
            before.append(f"     before {ids[first - 1]}  {_clip(segments[first - 1].text, width)}")
        for n, i in enumerate(indices, 1):
            label = f"{key}{n}" if labels else "  "
            inside.append(f"  {label:>3}  {ids[i]:<14} {segments[i].text}")
        if not indices:
            inside.append(f"  {'':>3}  {'(no ' + ('pivot' if key == 'p' else 'witness') + ' sentence)'}")
        if last + 1 < len(segments):
            after.append(f"     after  {ids[last + 1]}  {_clip(segments[last + 1].text, width)}")
    if bead.note:
        inside.append(f"       note: {bead.note}")
    return lines + before + inside + after


def listing(edition: Edition, threshold: float | None = None, witness_id: str | None = None) -> list[str]:
    """The report of ``aligner review`` without ``--interactive`` (default threshold: the edition's)."""
    threshold = edition.review_threshold if threshold is None else threshold
    alignments = selected_alignments(edition, witness_id)
    total, n_doubtful, reviewed = counts(edition, threshold, alignments)
    lines = [
        f"{total} links, {n_doubtful} doubtful (confidence < {threshold:g}, not reviewed), "
        f"{reviewed} reviewed"
    ]
    for doubt in doubtful(edition, threshold, alignments):
        lines.append("")
        lines.extend(show_doubt(edition, doubt))
    return lines


# --- the history ---------------------------------------------------------------------------------


def with_beads(edition: Edition, alignment: int, beads: list[Bead]) -> Edition:
    """A copy of the edition with new beads for one pair, after checking they still cover both texts."""
    pair = edition.alignments[alignment]
    check_cover(beads, len(edition.pivot.segments), len(pair_witness(edition, pair).segments))
    alignments = list(edition.alignments)
    alignments[alignment] = PairAlignment(pair.pivot_id, pair.witness_id, beads)
    return replace(edition, alignments=alignments)


def record(edition: Edition, who: str, what: str, when: str | None = None) -> Edition:
    return replace(edition, changes=[*edition.changes, Change(who=who, when=when or now(), what=what)])


# --- re-alignment keeps the reviews --------------------------------------------------------------


def carry_reviews(previous: Edition, pivot: Witness, witness: Witness) -> tuple[list[Bead], list[str]]:
    """Reviewed beads of ``previous`` (pivot ↔ witness) moved onto the new segments, plus a message
    for every review that had to be dropped because one of its sentences changed (see module doc).
    """
    pair = next(
        (p for p in previous.alignments if p.pivot_id == pivot.id and p.witness_id == witness.id), None
    )
    if pair is None or previous.pivot.id != pivot.id:
        return [], []
    old_witness = pair_witness(previous, pair)
    pivot_map = _segment_map(previous.pivot, pivot)
    witness_map = _segment_map(old_witness, witness)
    pivot_ids, witness_ids = previous.pivot.segment_ids(), old_witness.segment_ids()
    fixed: list[Bead] = []
    dropped: list[str] = []
    for bead in pair.beads:
        if bead.resp is None:
            continue
        new_pivot = tuple(pivot_map.get(i, -1) for i in bead.pivot)
        new_witness = tuple(witness_map.get(i, -1) for i in bead.witness)
        lost = [pivot_ids[i] for i, j in zip(bead.pivot, new_pivot, strict=True) if j < 0]
        lost += [witness_ids[i] for i, j in zip(bead.witness, new_witness, strict=True) if j < 0]
        label = link_label(bead, pivot_ids, witness_ids)
        if lost:
            dropped.append(f"review of {label} by {bead.resp} dropped: text of {' '.join(lost)} changed")
        elif not (_consecutive(new_pivot) and _consecutive(new_witness)):
            dropped.append(
                f"review of {label} by {bead.resp} dropped: new sentences came between its sentences"
            )
        else:
            fixed.append(replace(bead, pivot=new_pivot, witness=new_witness, confidence=1.0))
    return fixed, dropped


def _segment_map(old: Witness, new: Witness) -> dict[int, int]:
    """Old segment index -> new index, for the segments whose text is unchanged (in order)."""
    old_texts = [segment.text for segment in old.segments]
    new_texts = [segment.text for segment in new.segments]
    matcher = difflib.SequenceMatcher(None, old_texts, new_texts, autojunk=False)
    mapping: dict[int, int] = {}
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            mapping[block.a + k] = block.b + k
    return mapping


def _consecutive(indices: tuple[int, ...]) -> bool:
    return all(b == a + 1 for a, b in itertools.pairwise(indices))
