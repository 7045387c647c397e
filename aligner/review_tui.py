"""The interactive review: one doubtful link at a time, single-letter commands, every decision saved.

Commands are read line by line from a stream, so the same loop serves a person at a terminal and a
script (``aligner review E --interactive < decisions.txt``). Each decision is saved at once through
``review.commit`` (atomically, with Ctrl-C held back until it is saved and counted), so quitting,
Ctrl-C, a closed terminal or a crash loses nothing already decided; running the command again resumes
with the links nobody reviewed yet. When someone else saved the edition meanwhile (another review,
``aligner align``), the decision is applied onto their edition, or refused if it no longer applies,
and the session goes on with the edition as it is now.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from aligner import review
from aligner.alignment import Bead
from aligner.edition import Edition
from aligner.errors import AlignerError

HELP = (
    "a accept · p< p> w< w> [N] move a pivot/witness sentence to the previous/next link · "
    "m M merge with previous/next · s [P W] split · n [pN|wN] no counterpart · t [TEXT] note · "
    "u undo · k skip · q quit · ? help"
)


@dataclass
class _Step:
    """What undo needs: the decision saved and the beads of its pair before and after it."""

    decision: review.Decision
    before: list[Bead]
    after: list[Bead]
    about: Bead | None = None  # the link the decision was taken on: shown again after an undo


class ReviewSession:
    """A reviewer working through the doubtful links of one edition file."""

    def __init__(
        self,
        path: Path,
        edition: Edition,
        reviewer: str,
        threshold: float,
        witness_id: str | None,
        stdin: TextIO,
        stdout: TextIO,
        fingerprint: str | None = None,
    ) -> None:
        self.path = path
        self.edition = edition
        self.fingerprint = fingerprint  # of the file ``edition`` was read from: see ``review.commit``
        self.reviewer = reviewer
        self.threshold = threshold
        self.witness_id = witness_id
        self.alignments = review.selected_alignments(edition, witness_id)
        self.stdin = stdin
        self.stdout = stdout
        self.echo = not _is_tty(stdin)
        self.undo_stack: list[_Step] = []
        self.skipped: set[tuple[int, tuple[int, ...], tuple[int, ...]]] = set()
        self.decisions = 0
        self.current: review.Doubt | None = None  # the link on screen
        self.focus: tuple[int, Bead] | None = None  # after an undo: the link to show next

    # --- input and output ---

    def say(self, line: str = "") -> None:
        print(line, file=self.stdout, flush=True)

    def ask(self, prompt: str) -> str | None:
        """One line from the reviewer; ``None`` at the end of input (Ctrl-D, end of a script)."""
        self.stdout.write(prompt)
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:
            self.say()
            return None
        line = line.rstrip("\r\n")
        if self.echo:
            self.say(line)
        return line

    # --- the loop ---

    def run(self) -> int:
        """Review until no doubtful link is left, or the reviewer quits; returns the decisions made."""
        total, n_doubtful, reviewed = review.counts(self.edition, self.threshold, self.alignments)
        self.say(
            f"{self.path}: {total} links, {n_doubtful} doubtful (confidence < {self.threshold:g}), "
            f"{reviewed} reviewed · reviewer {self.reviewer}"
        )
        self.say(HELP)
        while True:
            doubts = [d for d in self._doubts() if self._key(d.alignment, d.bead) not in self.skipped]
            if not doubts:
                self.say("no doubtful link left to review.")
                break
            doubt = self._focused(doubts)
            self.current = doubt
            self.say()
            self.say(f"── {len(doubts)} doubtful link(s) left")
            for line in review.show_doubt(self.edition, doubt, labels=True):
                self.say(line)
            line = self.ask("review> ")
            if line is None:
                break
            command, _, argument = line.strip().partition(" ")
            if command == "q":
                break
            try:
                self._dispatch(command, argument.strip(), doubt)
            except _EndOfInput:
                break
            except AlignerError as err:
                self.say(f"  ! {err}; nothing changed")
        self.say(
            f"{self.decisions} decision(s) saved in {self.path}; "
            "run the same command again to go on where you left off."
        )
        return self.decisions

    def _focused(self, doubts: list[review.Doubt]) -> review.Doubt:
        """The least confident doubtful link, or after an undo the one the undone decision was on
        (a doubtful link sharing a sentence with it), so that the reviewer sees what they undid."""
        focus, self.focus = self.focus, None
        if focus is not None:
            k, bead = focus
            for doubt in doubts:
                shared = set(doubt.bead.pivot) & set(bead.pivot) or set(doubt.bead.witness) & set(
                    bead.witness
                )
                if doubt.alignment == k and shared:
                    return doubt
        return doubts[0]

    def _doubts(self) -> list[review.Doubt]:
        return review.doubtful(self.edition, self.threshold, self.alignments)

    @staticmethod
    def _key(alignment: int, bead: Bead) -> tuple[int, tuple[int, ...], tuple[int, ...]]:
        return alignment, bead.pivot, bead.witness

    def _dispatch(self, command: str, argument: str, doubt: review.Doubt) -> None:
        k, i, bead = doubt.alignment, doubt.index, doubt.bead
        beads = self.edition.alignments[k].beads
        me = self.reviewer

        def decide(operation: review.Operation, what: str, **arguments: object) -> None:
            self._decide(review.decision(self.edition, k, i, operation, me, what, **arguments))

        if command == "a":
            decide("accept", f"accepted link {self._label(k, bead)}")
        elif command in ("p<", "p>", "w<", "w>"):
            side: review.Side = "pivot" if command[0] == "p" else "witness"
            direction: review.Direction = "previous" if command[1] == "<" else "next"
            own = review.side_of(bead, side)
            segment = self._sentence(k, bead, argument, side) if argument else None
            if segment is None and own:
                segment = own[0] if direction == "previous" else own[-1]
            review.move(beads, i, side, direction, me, segment)  # refused here if it cannot be done
            assert segment is not None  # move refuses a side with no sentence
            what = f"moved {self._id(k, side, segment)} to the {direction} link"
            decide("move", what, side=side, direction=direction, segment=segment)
        elif command in ("m", "M"):
            direction = "previous" if command == "m" else "next"
            new = review.merge(beads, i, direction, me)  # refused here if it cannot be done
            other = beads[i - 1] if direction == "previous" else beads[i + 1]
            pair = (other, bead) if direction == "previous" else (bead, other)
            joined = new[i - 1] if direction == "previous" else new[i]
            what = f"merged links {self._label(k, pair[0])} and {self._label(k, pair[1])}"
            what += f" into {self._label(k, joined)}"
            decide("merge", what, direction=direction)
        elif command == "s":
            numbers = argument.split()
            if len(numbers) != 2:
                numbers = [
                    self._need(f"  pivot sentences in the first part (0-{len(bead.pivot)}): "),
                    self._need(f"  witness sentences in the first part (0-{len(bead.witness)}): "),
                ]
            try:
                pivot_first, witness_first = (int(n) for n in numbers)
            except ValueError:
                raise AlignerError("give the split as two numbers, e.g. 's 1 2'") from None
            new = review.split(beads, i, pivot_first, witness_first, me)
            head, tail = new[i], new[i + 1]
            what = f"split link {self._label(k, bead)} into {self._label(k, head)} and {self._label(k, tail)}"
            decide("split", what, parts=(pivot_first, witness_first))
        elif command == "n":
            ref = argument or self._need("  which sentence has no counterpart? (p1, w2, ... or its id): ")
            side, segment = self._any_sentence(k, bead, ref)
            review.detach(beads, i, side, segment, me)
            what = f"marked {self._id(k, side, segment)} as having no counterpart"
            decide("detach", what, side=side, segment=segment)
        elif command == "t":
            text = argument or self._need("  note: ")
            if not text.strip():
                raise AlignerError("an empty note")
            decide("note", f"note on link {self._label(k, bead)}: {text.strip()}", note=text)
        elif command == "u":
            self._undo()
        elif command == "k":
            self.skipped.add(self._key(k, bead))
            self.say("  skipped for this session")
        elif command in ("?", "h", ""):
            self.say(HELP)
            pair = self.edition.alignments[k]
            self.say(f"p: the pivot, {pair.pivot_id} · w: the witness, {pair.witness_id}")
        else:
            raise AlignerError(f"unknown command {command!r} (? for help)")

    # --- decisions ---

    def _decide(self, decision: review.Decision) -> None:
        """Save one decision (see ``review.commit``); the session's edition becomes the one saved."""
        with _interrupts_held():  # Ctrl-C waits until the decision is saved and counted
            mine = len(self.edition.changes)
            try:
                saved, fingerprint = review.commit(self.path, decision, self.fingerprint, self.edition)
            except review.DecisionRefused as refused:
                self._load(refused.edition, refused.fingerprint)
                if decision.operation == "undo":  # it will never apply again
                    self.undo_stack.pop()
                self.say(f"  ! {refused}; the edition was saved by someone else: showing it as it is now")
                return
            others = len(saved.changes) - mine - 1
            # What undo needs: the links this decision changed, as they were and as it made them.
            # When someone else saved meanwhile, ``saved`` holds their changes too, so the decision
            # applied onto this session's own edition tells its own change apart (an undo then
            # reverts only that, replayed like any decision: refused if the link changed since).
            before = self._pair_beads(self.edition, decision.witness_id)
            made = saved
            if others > 0 and decision.operation != "undo":
                made = review.apply_decision(self.edition, decision)
            after = self._pair_beads(made, decision.witness_id)
            self._load(saved, fingerprint)
            if decision.operation == "undo":
                step = self.undo_stack.pop()
                self.skipped.clear()
                k = self._alignment_of(step.decision.witness_id)
                if step.about is not None and k is not None:
                    self.focus = (k, step.about)  # show again the link the undone decision was on
            else:
                about = self.current.bead if self.current is not None else None
                self.undo_stack.append(_Step(decision, before, after, about))
            self.decisions += 1
            self.say(f"  saved: {decision.what}")
            if others > 0:
                self.say(f"  (applied onto {others} change(s) saved meanwhile by someone else)")

    def _undo(self) -> None:
        if not self.undo_stack:
            raise AlignerError("nothing to undo in this session")
        step = self.undo_stack[-1]
        self._decide(review.undo_of(step.decision, step.before, step.after))

    @staticmethod
    def _pair_beads(edition: Edition, witness_id: str) -> list[Bead]:
        return next((list(p.beads) for p in edition.alignments if p.witness_id == witness_id), [])

    def _alignment_of(self, witness_id: str) -> int | None:
        return next((k for k, p in enumerate(self.edition.alignments) if p.witness_id == witness_id), None)

    def _load(self, edition: Edition, fingerprint: str) -> None:
        """The edition as saved now (perhaps by someone else): what the session shows from now on."""
        self.edition, self.fingerprint = edition, fingerprint
        self.alignments = review.selected_alignments(edition, self.witness_id)

    # --- naming sentences ---

    def _ids(self, alignment: int, side: review.Side) -> list[str]:
        if side == "pivot":
            return self.edition.pivot.segment_ids()
        return review.pair_witness(self.edition, self.edition.alignments[alignment]).segment_ids()

    def _id(self, alignment: int, side: review.Side, segment: int) -> str:
        return self._ids(alignment, side)[segment]

    def _label(self, alignment: int, bead: Bead) -> str:
        witness_id = self.edition.alignments[alignment].witness_id
        return review.link_label(
            bead, self._ids(alignment, "pivot"), self._ids(alignment, "witness"), witness_id
        )

    def _sentence(self, alignment: int, bead: Bead, ref: str, side: review.Side) -> int:
        """A sentence of one side: its number in the link (``2``, ``p2``) or its id."""
        ref = ref.strip()
        letter = "p" if side == "pivot" else "w"
        if ref[:1] == letter and ref[1:].isdigit():
            ref = ref[1:]
        own = review.side_of(bead, side)
        if ref.isdigit():
            n = int(ref)
            if not 1 <= n <= len(own):
                raise AlignerError(f"the link has {len(own)} {side} sentence(s), not {n}")
            return own[n - 1]
        ids = self._ids(alignment, side)
        if ref in ids:
            return ids.index(ref)
        raise AlignerError(
            f"no {side} sentence {ref!r} (give its number in the link, e.g. {letter}1, or its id)"
        )

    def _any_sentence(self, alignment: int, bead: Bead, ref: str) -> tuple[review.Side, int]:
        ref = ref.strip()
        if ref[:1] in ("p", "w") and ref[1:].isdigit():
            side: review.Side = "pivot" if ref[0] == "p" else "witness"
            return side, self._sentence(alignment, bead, ref, side)
        for side in ("pivot", "witness"):
            if ref in self._ids(alignment, side):
                return side, self._ids(alignment, side).index(ref)
        raise AlignerError(f"no sentence {ref!r}: give p1, w2, ... or a sentence id")

    def _need(self, prompt: str) -> str:
        line = self.ask(prompt)
        if line is None:
            raise _EndOfInput
        return line


class _EndOfInput(Exception):
    """The input ended in the middle of a command: stop, as with ``q``."""


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C back while the edition file is replaced, then deliver it: the save completes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[tuple[int, object]] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: caught.append((number, frame)))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught and callable(previous):
        handler: Callable[..., object] = previous
        handler(*caught[0])
