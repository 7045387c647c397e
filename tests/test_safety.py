"""Nothing a scholar decides is ever lost (issue 9): concurrent reviews, aligning while a review is
open, re-aligning with other witnesses or another pivot, exporting onto another edition, symlinked
editions, Ctrl-C in the middle of a save, and hand-edited editions that no longer hang together.

Every case drives the real command (``aligner``), through a real terminal (tmux) where a person would
type; the property test at the end drives ``review.commit`` and the aligner's own writer directly.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import os
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree
from paths import TRANSLATIONS
from terminal import ALIGNER, Terminal, aligner

from aligner import pipeline, review
from aligner.alignment import REVIEW_THRESHOLD
from aligner.edition import Change, load_edition, read_edition, validate
from aligner.errors import AlignerError

TEI_NS = {"t": "http://www.tei-c.org/ns/1.0"}


def doubts(path: Path) -> list[review.Doubt]:
    return review.doubtful(read_edition(path), REVIEW_THRESHOLD, [0])


def one_line_error(done: object, *parts: str) -> None:
    stderr = done.stderr  # type: ignore[attr-defined]
    assert done.returncode == 1, stderr  # type: ignore[attr-defined]
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr, stderr
    for part in parts:
        assert part in stderr, stderr


# --- case 1: two people review one edition at once ------------------------------------------------


@contextlib.contextmanager
def two_reviewers(hand_file: Path, tmp_path: Path) -> Iterator[tuple[Terminal, Terminal]]:
    """Alice and Bob each reviewing ``hand_file`` in their own terminal, both at their first prompt."""
    alice, bob = Terminal(tmp_path / "alice"), Terminal(tmp_path / "bob")
    for term, name in ((alice, "alice"), (bob, "bob")):
        term.folder.mkdir()
        term.start(f"{ALIGNER} review {hand_file} --interactive --reviewer {name}")
    try:
        alice.wait("review> ")
        bob.wait("review> ")
        yield alice, bob
    finally:
        alice.close()
        bob.close()


def test_two_concurrent_reviews_keep_both_decisions(hand_file: Path, tmp_path: Path) -> None:
    first, second, third = doubts(hand_file)[:3]
    with two_reviewers(hand_file, tmp_path) as (alice, bob):
        # Both see the same first doubtful link. Alice accepts it; Bob, who loaded the edition before
        # Alice saved, skips it and accepts the second one: both decisions are kept.
        alice.type("a")
        alice.wait("saved: accepted link")
        bob.type("k")
        bob.wait("review> ", count=2)
        bob.type("a")
        screen = bob.wait("saved: accepted link")
        assert "applied onto 1 change(s) saved meanwhile by someone else" in screen
        # Alice still sees the second link as doubtful (Bob decided it after her last save): her
        # decision on it is refused, not applied over Bob's; her session goes on with the edition as
        # it is now and her next decision is saved.
        alice.wait("review> ", count=2)
        alice.type("M")
        screen = alice.wait("that link was changed meanwhile by someone else")
        assert "showing it as it is now" in screen
        alice.wait("review> ", count=3)
        alice.type("a")
        alice.wait("saved: accepted link", count=2)
        for term in (alice, bob):
            term.type("q")
        assert "2 decision(s) saved in" in alice.wait("[exit 0]")
        assert "1 decision(s) saved in" in bob.wait("[exit 0]")
    validate(hand_file)
    final = read_edition(hand_file)
    beads = final.alignments[0].beads
    pivot_ids, witness_ids = final.pivot.segment_ids(), final.witnesses[0].segment_ids()

    def label(doubt: review.Doubt) -> str:
        return review.link_label(doubt.bead, pivot_ids, witness_ids, final.witnesses[0].id)

    decided = {(c.who, c.what) for c in final.changes}
    assert ("alice", f"accepted link {label(first)}") in decided
    assert ("bob", f"accepted link {label(second)}") in decided
    assert ("alice", f"accepted link {label(third)}") in decided
    assert not any(c.what.startswith("merged") for c in final.changes)
    reviewed = {(b.pivot, b.witness): b.resp for b in beads if b.resp in ("alice", "bob")}
    assert reviewed == {
        (first.bead.pivot, first.bead.witness): "alice",
        (second.bead.pivot, second.bead.witness): "bob",
        (third.bead.pivot, third.bead.witness): "alice",
    }


def test_an_undo_after_someone_else_saved_reverts_only_ones_own_decision(
    hand_file: Path, tmp_path: Path
) -> None:
    first, second = doubts(hand_file)[:2]
    with two_reviewers(hand_file, tmp_path) as (alice, bob):
        # Alice accepts the first doubtful link; Bob, who loaded the edition before, skips it and
        # accepts the second (applied onto Alice's save), then undoes his decision.
        alice.type("a")
        alice.wait("saved: accepted link")
        bob.type("k")
        bob.wait("review> ", count=2)
        bob.type("a")
        assert "applied onto 1 change(s) saved meanwhile" in bob.wait("saved: accepted link")
        bob.wait("review> ", count=3)
        bob.type("u")
        bob.wait("saved: undid: accepted link")
        for term in (alice, bob):
            term.type("q")
            term.wait("[exit 0]")
    validate(hand_file)
    final = read_edition(hand_file)
    resp = {(b.pivot, b.witness): b.resp for b in final.alignments[0].beads}
    # Bob's undo took back his own decision only: Alice's accepted link is still hers.
    assert resp[(first.bead.pivot, first.bead.witness)] == "alice"
    assert resp[(second.bead.pivot, second.bead.witness)] == second.bead.resp
    assert [c.who for c in final.changes if c.who in ("alice", "bob")] == ["alice", "bob", "bob"]


# --- case 8: Ctrl-C while a decision is being saved -----------------------------------------------


def blocked_on(folder: Path, timeout: float = 60) -> None:
    """Wait until a process waits for the lock of ``folder`` (Linux lists waiters in /proc/locks)."""
    inode = f":{os.stat(folder).st_ino} "
    deadline = time.monotonic() + timeout
    while not any("->" in line and inode in line for line in Path("/proc/locks").read_text().splitlines()):
        if time.monotonic() > deadline:
            raise AssertionError(f"nobody waits for the lock of {folder}")
        time.sleep(0.05)


def test_ctrl_c_during_a_save_counts_the_decision_saved(hand_file: Path, terminal: Terminal) -> None:
    terminal.start(f"{ALIGNER} review {hand_file} --interactive --reviewer 'Jo Doe'")
    terminal.wait("review> ")
    # Another writer holds the folder: the save waits in the middle, and Ctrl-C comes right then.
    fd = os.open(hand_file.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        terminal.type("a")
        blocked_on(hand_file.parent)
        terminal.tmux("send-keys", "C-c")
        time.sleep(0.5)
    finally:
        os.close(fd)
    screen = terminal.wait("[exit 130]")
    assert "saved: accepted link" in screen
    assert "aligner: interrupted; 1 decision(s) already saved in" in screen
    final = read_edition(hand_file)
    assert final.changes[-1].who == "Jo Doe" and final.changes[-1].what.startswith("accepted link")


# --- case 1 (align): aligning again while a review is open ----------------------------------------


WIDE = 0.9
"""A threshold listing more of the bundled links than the default (12 against 4), so that Alice and Bob
have links enough to decide on different ones while the texts are aligned again."""


def test_align_while_a_review_is_open_keeps_its_decisions(
    bundled_edition: Path, tmp_path: Path, terminal: Terminal
) -> None:
    path = tmp_path / "mb.tei.xml"
    path.write_bytes(bundled_edition.read_bytes())
    # The review opens and saves one decision; then the texts are aligned again with another model
    # setting (the reviewed link is a fixed constraint), while the review stays open.
    terminal.start(f"{ALIGNER} review {path} --interactive --reviewer alice --threshold {WIDE}")
    terminal.wait("review> ")
    terminal.type("a")
    terminal.wait("saved: accepted link")
    terminal.wait("review> ", count=2)
    # The other way round too: align reads the edition, a review saves meanwhile, align writes last.
    previous, base = pipeline.edition_at(path)
    job = pipeline.AlignJob.prepare(["ru-1937", "en-1937"], None, None, pipeline.manifest_for(None))
    doubt = review.doubtful(read_edition(path), WIDE, [0])[3]
    decision = review.decision(read_edition(path), 0, doubt.index, "accept", "bob", "accepted by bob")
    review.commit(path, decision, base)
    run = pipeline.write_aligned(job, tmp_path / "mb", previous, base)
    assert any(b.resp == "bob" for b in run.edition.alignments[0].beads)
    # Alice goes on in the review opened before both: her next decision lands on the newer edition.
    for _ in range(10):  # a link she saw may have been aligned anew: then she decides on the next one
        prompts = terminal.screen().count("review> ")
        terminal.type("a")
        answer = terminal.wait("review> ", count=prompts + 1).split("review> ")[prompts]
        if "saved: accepted link" in answer:
            break
        assert "changed meanwhile" in answer, answer
    terminal.type("q")
    terminal.wait("[exit 0]")
    validate(path)
    final = read_edition(path)
    whats = [(c.who, c.what) for c in final.changes]
    assert [who for who, _ in whats].count("alice") == 2
    assert ("bob", "accepted by bob") in whats
    assert {b.resp for b in final.alignments[0].beads} >= {"alice", "bob"}
    # The exports are those of the edition the aligner wrote (with Bob's decision).
    tsv = (tmp_path / "mb.tsv").read_text(encoding="utf-8")
    assert "\tbob\t" in tsv


# --- case 2: re-aligning with other witnesses, another pivot, another edition ---------------------


def small_texts(folder: Path) -> dict[str, Path]:
    """The first paragraphs of the bundled texts, one sentence a line, and a second English witness."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, source in (("ru", "ru-1937-pravda-report.txt"), ("en", "en-1937-mastering-bolshevism.txt")):
        text = (TRANSLATIONS / source).read_text(encoding="utf-8")
        paragraphs = [" ".join(p.split()) for p in text.split("\n\n") if len(" ".join(p.split())) > 40]
        files[name] = folder / f"{name}.txt"
        files[name].write_text("\n".join(paragraphs[:12]) + "\n", encoding="utf-8")
    english = files["en"].read_text(encoding="utf-8").splitlines()
    files["en2"] = folder / "en2.txt"
    files["en2"].write_text("\n".join(line.upper() for line in english) + "\n", encoding="utf-8")
    return files


def accept_first(path: Path, witness: str, who: str) -> None:
    command = ["review", str(path), "--interactive", "--witness", witness, "--threshold", "1"]
    done = aligner(*command, stdin="a\nq\n", reviewer=who)
    assert done.returncode == 0 and "saved: accepted link" in done.stdout, done.stdout + done.stderr


def test_realigning_fewer_witnesses_or_another_pivot_keeps_or_refuses(tmp_path: Path) -> None:
    f = small_texts(tmp_path / "texts")
    out = tmp_path / "ed"
    tei = tmp_path / "ed.tei.xml"
    args = [f"{f['ru']}:ru", f"{f['en']}:en", f"{f['en2']}:en", "--presegmented"]  # ru is the pivot
    done = aligner("align", *args, "--out", str(out))
    assert done.returncode == 0, done.stderr
    accept_first(tei, "en2", "alice")
    accept_first(tei, "en", "bob")
    reviewed = read_edition(tei)
    en2_before = reviewed.alignments[1]

    # Aligning ru and en only keeps the alignment of en2 as it was, with its reviewed link.
    done = aligner("align", f"{f['ru']}:ru", f"{f['en']}:en", "--presegmented", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "kept the alignment of en2 unchanged (not aligned this time)" in done.stderr
    again = read_edition(tei)
    assert [w.id for w in again.witnesses] == ["en", "en2"]
    assert again.alignments[1] == en2_before
    assert again.witnesses[1].segments == reviewed.witnesses[1].segments
    assert (tmp_path / "ed.en2.align").is_file()

    # Another pivot: en's reviewed link is turned round, en2's cannot be carried: refused, then --force.
    before = tei.read_bytes()
    pivot_en = [f"{f['en']}:en", f"{f['ru']}:ru", "--presegmented"]  # the first witness is the pivot
    done = aligner("align", *pivot_en, "--out", str(out))
    one_line_error(done, "the pivot changes from ru to en", "1 reviewed link(s) of ru <-> en2", "--force")
    assert tei.read_bytes() == before
    done = aligner("align", *pivot_en, "--out", str(out), "--force")
    assert done.returncode == 0, done.stderr
    turned = read_edition(tei)
    assert turned.pivot.id == "en" and [w.id for w in turned.witnesses] == ["ru"]
    bob = next(b for b in again.alignments[0].beads if b.resp == "bob")
    assert any(
        b.resp == "bob" and (b.pivot, b.witness) == (bob.witness, bob.pivot)
        for b in turned.alignments[0].beads
    )
    assert any("1 reviewed link(s) lost, --force" in c.what for c in turned.changes)
    assert not (tmp_path / "ed.en2.align").exists() and (tmp_path / "ed.ru.align").is_file()


def test_a_different_edition_at_the_same_prefix_is_not_inherited(tmp_path: Path) -> None:
    f = small_texts(tmp_path / "texts")
    other = small_texts(tmp_path / "other")
    (other["ru"]).rename(other["ru"].with_name("pravda.txt"))
    (other["en"]).rename(other["en"].with_name("pamphlet.txt"))
    out, tei = tmp_path / "edition", tmp_path / "edition.tei.xml"
    done = aligner("align", f"{f['ru']}:ru", f"{f['en']}:en", "--presegmented", "--out", str(out))
    assert done.returncode == 0, done.stderr
    accept_first(tei, "en", "alice")
    before = tei.read_bytes()
    new = [f"{tmp_path / 'other' / 'pravda.txt'}:ru", f"{tmp_path / 'other' / 'pamphlet.txt'}:en"]
    done = aligner("align", *new, "--presegmented", "--out", str(out))
    one_line_error(done, "holds a different edition (ru, en) with 1 reviewed link(s)", "--force")
    assert tei.read_bytes() == before
    done = aligner("align", *new, "--presegmented", "--out", str(out), "--force")
    assert done.returncode == 0, done.stderr
    fresh = read_edition(tei)
    assert [w.id for w in fresh.witnesses] == ["pamphlet"]
    assert not any(c.who == "alice" for c in fresh.changes)  # the old edition's history is not inherited
    assert fresh.changes[0].what.startswith("replaced the different edition")
    assert not (tmp_path / "edition.en.align").exists() and (tmp_path / "edition.pamphlet.align").is_file()


# --- case 3: export never overwrites a different edition ------------------------------------------


def test_export_never_overwrites_a_different_reviewed_edition(hand_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "reviewed.tei.xml"
    target.write_bytes(hand_file.read_bytes())
    accept_first(target, "en-1937", "alice")  # a reviewed edition the export must not destroy
    reviewed = target.read_bytes()
    done = aligner("export", str(hand_file), "--out", str(tmp_path / "reviewed"))
    one_line_error(done, "is a different edition (1 reviewed link(s) and 1 history entry(ies)", "--force")
    assert target.read_bytes() == reviewed
    # cp E snap.xml; aligner export snap.xml: snap.tei.xml is the reviewed one, kept.
    snap = tmp_path / "snap.xml"
    snap.write_bytes(hand_file.read_bytes())
    (tmp_path / "snap.tei.xml").write_bytes(reviewed)
    one_line_error(aligner("export", str(snap)), "is a different edition", "--force")
    assert (tmp_path / "snap.tei.xml").read_bytes() == reviewed
    # Exporting the newer edition over an earlier version of itself is what export is for.
    done = aligner("export", str(target), "--out", str(tmp_path / "hand"))
    assert done.returncode == 0, done.stderr
    assert hand_file.read_bytes() == reviewed
    done = aligner("export", str(snap), "--force")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "snap.tei.xml").read_bytes() == snap.read_bytes()


# --- case 6: a symlinked edition -------------------------------------------------------------------


def test_a_symlinked_edition_stays_a_link_and_its_target_gets_the_decisions(
    hand_file: Path, tmp_path: Path
) -> None:
    link = tmp_path / "link" / "edition.tei.xml"
    link.parent.mkdir()
    link.symlink_to(hand_file)
    litter = hand_file.with_name(f".{hand_file.name}.killed.tmp")
    litter.write_bytes(b"<half a save")  # what a save killed at the wrong moment leaves behind
    accept_first(link, "en-1937", "alice")
    assert link.is_symlink() and link.resolve() == hand_file.resolve()
    assert read_edition(hand_file).changes[-1].who == "alice"
    assert not litter.exists()
    done = aligner("export", str(link))
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and (tmp_path / "link" / "edition.tsv").is_file()


# --- case 10: editions that validate but do not hang together -------------------------------------


def broken(hand_file: Path, name: str, edit: str) -> Path:
    root = etree.fromstring(hand_file.read_bytes())
    links = root.findall(".//t:linkGrp/*", TEI_NS)
    if edit == "twice":  # link 3 also takes the first sentence of link 2
        first = links[1].get("target").split()[0]
        links[2].set("target", f"{first} {links[2].get('target')}")
    elif edit == "deleted":
        links[4].getparent().remove(links[4])
    elif edit == "swapped":
        links[2].addnext(links[1])
    elif edit == "missing target":
        links[5].set("target", links[5].get("target") + " #en-1937.s99999")
    path = hand_file.with_name(name)
    path.write_bytes(etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8"))
    return path


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ("twice", "link en-1937.p3.w3 is inconsistent: ru-1937.s"),
        ("deleted", "link en-1937.p6.w6 is inconsistent: it skips"),
        ("swapped", "link en-1937.p3.w3 is inconsistent: it skips"),
        ("missing target", "link en-1937.p6.w6 points to unknown sentence ['en-1937.s99999']"),
    ],
)
def test_an_inconsistent_edition_is_refused_by_every_command(
    hand_file: Path, tmp_path: Path, edit: str, message: str
) -> None:
    path = broken(hand_file, f"{edit.replace(' ', '-')}.tei.xml", edit)
    before = path.read_bytes()
    prefix = str(path).removesuffix(".tei.xml")
    commands = [
        ["show", str(path)],
        ["export", str(path), "--out", str(tmp_path / "exported")],
        ["review", str(path)],
        ["review", str(path), "--interactive"],
        ["align", "ru-1937", "en-1937", "--out", prefix],
    ]
    for command in commands:
        done = aligner(*command, stdin="a\n", reviewer="alice")
        one_line_error(done, message)
    assert path.read_bytes() == before
    assert not (tmp_path / "exported.tsv").exists()


def test_a_commit_given_the_edition_it_read_writes_the_same_and_never_over_a_newer_save(
    hand_file: Path, tmp_path: Path
) -> None:
    # The browser review hands commit the edition it already read, so a long edition is not parsed again.
    edition, base = load_edition(hand_file)
    twin = tmp_path / "twin.tei.xml"
    twin.write_bytes(hand_file.read_bytes())
    first = review.decision(edition, 0, 0, "accept", "alice", "accepted by alice")
    saved, after_first = review.commit(hand_file, first, base, edition)
    review.commit(twin, first, base)  # the same decision, the file parsed again
    assert [c.what for c in read_edition(twin).changes] == [c.what for c in saved.changes]
    assert read_edition(twin).alignments == read_edition(hand_file).alignments == saved.alignments
    # Bob saves meanwhile; Alice's next decision, given her edition from before his save, lands on his.
    bobs = review.decision(saved, 0, 1, "accept", "bob", "accepted by bob")
    review.commit(hand_file, bobs, after_first)
    second = review.decision(saved, 0, 2, "accept", "alice", "again alice")
    final, _ = review.commit(hand_file, second, after_first, saved)
    assert [b.resp for b in read_edition(hand_file).alignments[0].beads[:3]] == ["alice", "bob", "alice"]
    assert final.alignments == read_edition(hand_file).alignments


def test_a_consistent_edition_reads_with_its_fingerprint(hand_file: Path) -> None:
    edition, fingerprint = load_edition(hand_file)
    assert edition == read_edition(hand_file) and len(fingerprint) == 64


# --- the property: random decisions of two sessions and re-alignments never lose a saved one ------

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies

OPERATIONS = ["accept", "note", "move", "merge", "split", "detach", "undo"]


class Session:
    """One reviewer's view: the edition as last read or saved, its fingerprint, what undo needs."""

    def __init__(self, path: Path, who: str) -> None:
        self.path, self.who = path, who
        self.edition, self.fingerprint = load_edition(path)
        self.undo: list[tuple[review.Decision, list, list]] = []

    def decide(self, operation: str, choice: int) -> review.Decision | None:
        beads = self.edition.alignments[0].beads
        i = choice % len(beads)
        bead = beads[i]
        what = f"{operation} {choice} by {self.who}"
        if operation == "undo":
            if not self.undo:
                return None
            done, before, after = self.undo[-1]
            return review.undo_of(done, before, after)
        arguments: dict[str, object] = {}
        if operation == "note":
            arguments = {"note": f"note {choice}"}
        elif operation in ("move", "merge"):
            arguments = {"direction": "previous" if choice % 2 else "next"}
            if operation == "move":
                side = "pivot" if choice % 3 else "witness"
                own = bead.pivot if side == "pivot" else bead.witness
                if not own:
                    return None
                edge = own[0] if arguments["direction"] == "previous" else own[-1]
                arguments.update(side=side, segment=edge)
        elif operation == "split":
            arguments = {"parts": (min(1, len(bead.pivot)), 0 if bead.pivot else min(1, len(bead.witness)))}
        elif operation == "detach":
            side = "pivot" if bead.pivot and choice % 2 else "witness"
            own = bead.pivot if side == "pivot" else bead.witness
            if not own:
                return None
            arguments = {"side": side, "segment": own[0]}
        try:
            return review.decision(self.edition, 0, i, operation, self.who, what, **arguments)  # type: ignore[arg-type]
        except AlignerError:
            return None

    def commit(self, decision: review.Decision) -> Change | None:
        before = list(self.edition.alignments[0].beads)
        try:
            saved, fingerprint = review.commit(self.path, decision, self.fingerprint)
        except review.DecisionRefused as refused:
            self.edition, self.fingerprint = refused.edition, refused.fingerprint
            return None
        except AlignerError:
            return None  # wrong in itself (would break the order): nothing saved
        self.edition, self.fingerprint = saved, fingerprint
        if decision.operation == "undo":
            self.undo.pop()
        else:
            self.undo.append((decision, before, list(saved.alignments[0].beads)))
        return saved.changes[-1]


@pytest.fixture(scope="module")
def small_job(tmp_path_factory: pytest.TempPathFactory) -> pipeline.AlignJob:
    """A small real pair (twelve paragraphs of each text) and the real model, loaded once."""
    f = small_texts(tmp_path_factory.mktemp("small"))
    manifest = pipeline.manifest_for(None)
    return pipeline.AlignJob.prepare([f"{f['ru']}:ru", f"{f['en']}:en"], None, None, manifest, True)


def test_random_interleavings_never_lose_a_saved_decision(
    small_job: pipeline.AlignJob, tmp_path: Path
) -> None:
    steps = st.lists(
        st.tuples(
            st.sampled_from(["alice", "bob", "align-read", "align-write"]),
            st.sampled_from(OPERATIONS),
            st.integers(0, 1000),
        ),
        min_size=4,
        max_size=14,
    )
    finals: list[Path] = []
    numbers = itertools.count()

    @hypothesis.settings(max_examples=60, deadline=None, derandomize=True)
    @hypothesis.given(steps)
    def run(plan: list[tuple[str, str, int]]) -> None:
        folder = tmp_path / f"run{next(numbers)}"
        out = folder / "ed"
        path = folder / "ed.tei.xml"
        pipeline.write_aligned(small_job, out, None, None)
        sessions = {name: Session(path, name) for name in ("alice", "bob")}
        saved: list = []
        pending: tuple | None = None
        for actor, operation, choice in plan:
            if actor == "align-read":
                pending = pipeline.edition_at(path)
            elif actor == "align-write":
                previous, base = pending or pipeline.edition_at(path)
                pipeline.write_aligned(small_job, out, previous, base)
                pending = None
            else:
                decision = sessions[actor].decide(operation, choice)
                if decision is not None and (change := sessions[actor].commit(decision)) is not None:
                    saved.append(change)
        final = read_edition(path)  # consistent, or it would be refused here
        assert not Counter(saved) - Counter(final.changes), "a saved decision is missing from the history"
        finals.append(path)

    run()
    validate(finals[-1])
