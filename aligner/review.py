"""Review of doubtful links: find them, fix them by hand, and keep the fixes when aligning again.

The review operations are pure functions over a list of beads: each returns a new list, or raises
``AlignerError`` when the result would not cover both texts exactly once, in order. A decision marks as
reviewed only what the reviewer approved: an accepted link, a merged link (its whole content was named),
a sentence marked as having no counterpart. Those beads get ``resp`` (who) and confidence 1.0. A link
a decision changed without the reviewer seeing its new shape (both sides of a move, both parts of a
split, what is left after a sentence is detached) is *pending*: no ``resp``, confidence 0.0, so it
heads the queue of doubtful links until it is accepted or fixed. ``carry_reviews`` turns reviewed and
pending beads into fixed constraints for the next alignment (a pending one stays pending: the reviewer's
split or move is kept, and the link stays in the queue).

Policy when texts change between alignments: segments are matched by their exact text
(``difflib.SequenceMatcher`` over the old and the new segment lists). A reviewed bead whose sentences
all survive unchanged, and stay consecutive, is kept (with its new indices); a reviewed bead with a
changed, removed or separated sentence is dropped, reported and recorded in the edition's history,
and its sentences are aligned again by the machine.
"""

from __future__ import annotations

import difflib
import getpass
import hashlib
import itertools
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from aligner.alignment import Bead, PairAlignment, Side, side_of, with_side
from aligner.edition import Change, Edition, link_id, load_edition, now, sanitized, to_tei
from aligner.errors import AlignerError
from aligner.files import StaleWrite, fingerprint, write_atomic
from aligner.witness import Witness, columns, pad

Direction = Literal["previous", "next"]
Operation = Literal["accept", "move", "merge", "split", "detach", "note", "undo"]
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
"""Confidence of a link changed by a decision but not yet approved: first in the review queue. The
machine never gives it (``align.confidence`` is at least 0.0001), so an unreviewed link at 0.0 is pending."""


def is_pending(bead: Bead) -> bool:
    """A link a decision changed that nobody has accepted yet (see ``PENDING``)."""
    return bead.resp is None and bead.confidence == PENDING


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


def link_label(
    bead: Bead, pivot_ids: Sequence[str], witness_ids: Sequence[str], witness_id: str | None = None
) -> str:
    """``ru-1937.s12 ↔ en-1937.s14 en-1937.s15``, after the link's id if the witness is given
    (``en-1937.p12.w14-15 (…)``): the words of the history entries, which say which id became which."""
    left = " ".join(pivot_ids[i] for i in bead.pivot) or "(nothing)"
    right = " ".join(witness_ids[i] for i in bead.witness) or "(nothing)"
    return f"{left} ↔ {right}" if witness_id is None else f"{link_id(witness_id, bead)} ({left} ↔ {right})"


def _clip(text: str, width: int) -> str:
    """``text`` in at most ``width`` columns of a terminal, where a Chinese or Japanese character takes two
    (counted in characters, a line of context in Chinese ran to twice the width and wrapped)."""
    text = " ".join(text.split())
    widths = [columns(char) for char in text]
    if sum(widths) <= width:
        return text
    used = 0
    for end, column in enumerate(widths):
        if used + column > width - 1:
            return text[:end] + "…"
        used += column
    return text


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
        f"link {link_id(pair.witness_id, bead)}, {doubt.index + 1} of {len(pair.beads)} "
        f"({pair.pivot_id} ↔ {pair.witness_id}) · "
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
            inside.append(f"  {label:>3}  {pad(ids[i], 14)} {segments[i].text}")
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


def previous_pair(
    previous: Edition, pivot_id: str, witness_id: str
) -> tuple[list[Bead], Witness, Witness] | None:
    """The beads of ``previous`` between these two witnesses, oriented pivot → witness, with the old
    texts of both sides; when the pivot changed places with the witness, the beads are turned round."""
    for pair in previous.alignments:
        if previous.pivot.id == pivot_id and pair.witness_id == witness_id:
            return list(pair.beads), previous.pivot, pair_witness(previous, pair)
        if previous.pivot.id == witness_id and pair.witness_id == pivot_id:
            turned = [replace(b, pivot=b.witness, witness=b.pivot) for b in pair.beads]
            return turned, pair_witness(previous, pair), previous.pivot
    return None


def carry_reviews(previous: Edition, pivot: Witness, witness: Witness) -> tuple[list[Bead], list[str]]:
    """Reviewed and pending beads of ``previous`` (pivot ↔ witness, either way round) moved onto the new
    segments, plus a message for every one that had to be dropped because one of its sentences changed
    (see module doc). A pending bead is carried too: aligning again must not undo a split or a move
    that nobody accepted yet, nor take its links out of the review queue.
    """
    found = previous_pair(previous, pivot.id, witness.id)
    if found is None:
        return [], []
    beads, old_pivot, old_witness = found
    pivot_map = _segment_map(old_pivot, pivot)
    witness_map = _segment_map(old_witness, witness)
    pivot_ids, witness_ids = old_pivot.segment_ids(), old_witness.segment_ids()
    fixed: list[Bead] = []
    dropped: list[str] = []
    for bead in beads:
        if bead.resp is None and not is_pending(bead):
            continue
        new_pivot = tuple(pivot_map.get(i, -1) for i in bead.pivot)
        new_witness = tuple(witness_map.get(i, -1) for i in bead.witness)
        lost = [pivot_ids[i] for i, j in zip(bead.pivot, new_pivot, strict=True) if j < 0]
        lost += [witness_ids[i] for i, j in zip(bead.witness, new_witness, strict=True) if j < 0]
        label = link_label(bead, pivot_ids, witness_ids)
        whose = f"review of {label} by {bead.resp}" if bead.resp else f"unaccepted change of {label}"
        if lost:
            dropped.append(f"{whose} dropped: text of {' '.join(lost)} changed")
        elif not (_consecutive(new_pivot) and _consecutive(new_witness)):
            dropped.append(f"{whose} dropped: new sentences came between its sentences")
        else:
            certainty = 1.0 if bead.resp is not None else PENDING
            fixed.append(replace(bead, pivot=new_pivot, witness=new_witness, confidence=certainty))
    return fixed, dropped


def carry_notes(
    previous: Edition, aligned: PairAlignment, pivot: Witness, witness: Witness
) -> tuple[PairAlignment, list[str]]:
    """The notes of ``previous`` on links nobody reviewed (reviewed and pending links carry theirs with
    them, ``carry_reviews``) put back on the same links of the new alignment ``aligned``: a note does
    not decide a link, so it does not fix it, but it must not vanish. A note whose link is no longer
    there (its sentences changed, or the machine links them otherwise now) is reported, with its text."""
    found = previous_pair(previous, pivot.id, witness.id)
    if found is None:
        return aligned, []
    beads, old_pivot, old_witness = found
    pivot_map, witness_map = _segment_map(old_pivot, pivot), _segment_map(old_witness, witness)
    at = {(bead.pivot, bead.witness): k for k, bead in enumerate(aligned.beads)}
    placed, dropped = list(aligned.beads), []
    for bead in beads:
        if not bead.note or bead.resp is not None or is_pending(bead):
            continue
        key = (
            tuple(pivot_map.get(i, -1) for i in bead.pivot),
            tuple(witness_map.get(i, -1) for i in bead.witness),
        )
        k = at.get(key)
        if k is not None and placed[k].resp is None and not placed[k].note:
            placed[k] = replace(placed[k], note=bead.note)
            continue
        label = link_label(bead, old_pivot.segment_ids(), old_witness.segment_ids())
        dropped.append(f"note on {label} dropped: the link is no longer there ({bead.note!r})")
    return replace(aligned, beads=placed), dropped


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


# --- decisions that survive someone else saving first ---------------------------------------------

LinkKey = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True)
class Decision:
    """One review decision, replayable onto a newer edition than the one it was made on.

    The link is the bead as the reviewer saw it (its sentences, reviewer and note), found again by
    content, not by position: a decision on one link still applies after someone else split
    or merged links elsewhere, and never to a link someone else decided on meanwhile. ``neighbour`` is
    the other link a move or merge takes part of; ``texts`` the sentences the decision reads, as the
    reviewer saw them, so it never applies to a changed text. ``what`` is the history entry. An
    ``undo`` puts ``before`` back in place of ``after``.
    """

    witness_id: str
    operation: Operation
    link: Bead
    reviewer: str
    what: str
    side: Side | None = None
    direction: Direction | None = None
    segment: int | None = None
    parts: tuple[int, int] | None = None
    note: str | None = None
    neighbour: Bead | None = None
    texts: tuple[str, ...] = ()
    before: tuple[Bead, ...] = field(default=())
    after: tuple[Bead, ...] = field(default=())


def _key(bead: Bead) -> LinkKey:
    return bead.pivot, bead.witness


def _same_link(found: Bead, seen: Bead) -> bool:
    """The link the reviewer saw: same sentences, same reviewer and note (a machine re-alignment
    that only changed its confidence leaves it the same link)."""
    return (found.pivot, found.witness, found.resp, found.note) == (
        seen.pivot,
        seen.witness,
        seen.resp,
        seen.note,
    )


def _texts(edition: Edition, alignment: int, keys: Sequence[LinkKey]) -> tuple[str, ...]:
    pivot = edition.pivot.segments
    witness = pair_witness(edition, edition.alignments[alignment]).segments
    try:
        return tuple(
            [pivot[i].text for p, _ in keys for i in p] + [witness[i].text for _, w in keys for i in w]
        )
    except IndexError:
        return ("(a sentence that is no longer there)",)


def decision(
    edition: Edition,
    alignment: int,
    index: int,
    operation: Operation,
    reviewer: str,
    what: str,
    **arguments: object,
) -> Decision:
    """The decision ``operation`` on link ``index`` of pair ``alignment``, as seen in ``edition``."""
    beads = edition.alignments[alignment].beads
    bead = _bead_at(beads, index)
    neighbour = None
    if operation in ("move", "merge"):
        other = index - 1 if arguments.get("direction") == "previous" else index + 1
        if not 0 <= other < len(beads):
            raise AlignerError(_no_neighbour(arguments.get("direction", "next")))  # type: ignore[arg-type]
        neighbour = beads[other]
    keys = [_key(bead)] + ([_key(neighbour)] if neighbour else [])
    return Decision(
        witness_id=edition.alignments[alignment].witness_id,
        operation=operation,
        link=bead,
        reviewer=reviewer,
        what=what,
        neighbour=neighbour,
        texts=_texts(edition, alignment, keys),
        **arguments,  # type: ignore[arg-type]
    )


def undo_of(done: Decision, before: Sequence[Bead], after: Sequence[Bead]) -> Decision:
    """The decision that undoes ``done``, which turned the beads ``before`` into ``after`` (one pair)."""
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end = 0
    while end < min(len(before), len(after)) - start and before[-1 - end] == after[-1 - end]:
        end += 1
    return Decision(
        witness_id=done.witness_id,
        operation="undo",
        link=done.link,
        reviewer=done.reviewer,
        what=f"undid: {done.what}",
        before=tuple(before[start : len(before) - end]),
        after=tuple(after[start : len(after) - end]),
    )


def _changed_meanwhile(done: Decision) -> AlignerError:
    return AlignerError(f"not saved ({done.what}): that link was changed meanwhile by someone else")


def apply_decision(edition: Edition, done: Decision) -> Edition:
    """``edition`` with the decision applied and recorded in its history.

    Raises ``AlignerError`` when it does not apply: the decision itself is wrong (it would break the
    order, say), or the links or sentences it names are no longer as the reviewer saw them.
    """
    found = [k for k, pair in enumerate(edition.alignments) if pair.witness_id == done.witness_id]
    if not found:
        raise AlignerError(f"not saved ({done.what}): the alignment of {done.witness_id} is gone")
    k = found[0]
    beads = edition.alignments[k].beads
    if done.operation == "undo":
        size = len(done.after)
        at = next((i for i in range(len(beads) - size + 1) if tuple(beads[i : i + size]) == done.after), None)
        if at is None:
            raise _changed_meanwhile(done)
        new = [*beads[:at], *done.before, *beads[at + size :]]
        return record(with_beads(edition, k, new), done.reviewer, done.what)
    index = next((i for i, bead in enumerate(beads) if _same_link(bead, done.link)), None)
    if index is None:
        raise _changed_meanwhile(done)
    keys = [_key(done.link)]
    if done.neighbour is not None:
        other = index - 1 if done.direction == "previous" else index + 1
        if not 0 <= other < len(beads) or not _same_link(beads[other], done.neighbour):
            raise _changed_meanwhile(done)
        keys.append(_key(done.neighbour))
    if _texts(edition, k, keys) != done.texts:
        raise AlignerError(f"not saved ({done.what}): the text of its sentences was changed meanwhile")
    me = done.reviewer
    if done.operation == "accept":
        new = accept(beads, index, me)
    elif done.operation == "note":
        new = annotate(beads, index, done.note or "")
    elif done.operation == "move":
        assert done.side is not None and done.direction is not None
        new = move(beads, index, done.side, done.direction, me, done.segment)
    elif done.operation == "merge":
        assert done.direction is not None
        new = merge(beads, index, done.direction, me)
    elif done.operation == "split":
        assert done.parts is not None
        new = split(beads, index, *done.parts, me)
    elif done.operation == "detach":
        assert done.side is not None and done.segment is not None
        new = detach(beads, index, done.side, done.segment, me)
    else:
        raise AlignerError(f"unknown review operation {done.operation!r}")
    return record(with_beads(edition, k, new), me, done.what)


class DecisionRefused(AlignerError):
    """Someone else saved first and the decision no longer applies; carries the edition as it is now."""

    def __init__(self, message: str, edition: Edition, fingerprint: str) -> None:
        super().__init__(message)
        self.edition = edition
        self.fingerprint = fingerprint


_ATTEMPTS = 20


def commit(
    path: Path, done: Decision, base_fingerprint: str | None, base: Edition | None = None
) -> tuple[Edition, str]:
    """Save one decision into the edition at ``path``; returns the edition saved and its fingerprint.

    ``base_fingerprint`` is the fingerprint of the edition the reviewer was looking at (from
    ``edition.load_edition`` or the last ``commit``). The file is read again: if someone else saved
    since (another review, ``aligner align``), the decision is applied onto their edition when it still
    applies, so both are kept; if it no longer applies, ``DecisionRefused`` carries the newer edition
    and its fingerprint, and nothing is written. A decision that is wrong in itself raises a plain
    ``AlignerError``. The write only replaces the very file read (``write_atomic(expected=...)``);
    if another writer slipped in between, it starts over. ``base``, the edition read with
    ``base_fingerprint`` if the caller still has it, spares parsing the file again while it is
    unchanged (seconds for a 50,000-link edition).
    """
    path = Path(path)
    for _ in range(_ATTEMPTS):
        found = fingerprint(path) if base is not None else None
        if base is not None and found is not None and found == base_fingerprint:
            edition = base
        else:
            edition, found = load_edition(path)
        base = None  # only ever for the first reading
        try:
            changed = sanitized(apply_decision(edition, done))
        except AlignerError as err:
            if found == base_fingerprint:
                raise
            raise DecisionRefused(str(err), edition, found) from None
        data = to_tei(changed)
        try:
            write_atomic(path, data, expected=found)
        except StaleWrite:
            continue
        return changed, hashlib.sha256(data).hexdigest()
    raise AlignerError(f"not saved ({done.what}): {path} keeps being changed by other writers; try again")
