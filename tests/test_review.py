"""Reviewing doubtful links: the review operations, the listing, the interactive loop driven through a
real terminal (tmux) and a scripted input stream, and re-alignment that keeps the reviews."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from paths import SHARED, TRANSLATIONS
from terminal import ALIGNER, Terminal, aligner

from aligner import review
from aligner.alignment import REVIEW_THRESHOLD, Bead, PairAlignment
from aligner.edition import Edition, link_id, now, read_edition, validate
from aligner.errors import AlignerError
from aligner.witness import Block, Segment, Witness, WitnessMeta, columns

# A small alignment, as the aligner makes them: pivot sentences 0-5, witness sentences 0-5.
#   link 0: p0 ↔ w0        link 1: p1 p2 ↔ w1     link 2: p3 ↔ w2 w3
#   link 3: p4 ↔ (none)    link 4: p5 ↔ w4 w5
BEADS = [
    Bead((0,), (0,), 0.91),
    Bead((1, 2), (1,), 0.40),
    Bead((3,), (2, 3), 0.22),
    Bead((4,), (), 0.35),
    Bead((5,), (4, 5), 0.80),
]


MAC_DEV = SHARED / "bench" / "mac-dev"


def cover(beads: list[Bead]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    review.check_cover(beads, 6, 6)
    return [(b.pivot, b.witness) for b in beads]


def test_accept_marks_the_link_reviewed_and_certain() -> None:
    beads = review.accept(BEADS, 2, "alice")
    assert beads[2] == Bead((3,), (2, 3), 1.0, "alice")
    assert beads[:2] == BEADS[:2] and beads[3:] == BEADS[3:]


def test_move_a_sentence_to_the_previous_or_next_link() -> None:
    beads = review.move(BEADS, 2, "witness", "previous", "alice")
    assert cover(beads)[1:3] == [((1, 2), (1, 2)), ((3,), (3,))]
    # Both links changed shape: neither is reviewed until the reviewer accepts it.
    assert {beads[1].resp, beads[2].resp} == {None} and beads[1].confidence == beads[2].confidence == 0.0
    beads = review.move(BEADS, 1, "pivot", "next", "alice")
    assert cover(beads)[1:3] == [((1,), (1,)), ((2, 3), (2, 3))]


def test_a_link_emptied_by_a_move_disappears() -> None:
    beads = review.move(BEADS, 3, "pivot", "previous", "alice")
    assert cover(beads) == [((0,), (0,)), ((1, 2), (1,)), ((3, 4), (2, 3)), ((5,), (4, 5))]


def test_moving_a_sentence_that_would_cross_others_breaks_the_order() -> None:
    with pytest.raises(AlignerError, match="would break the order"):
        review.move(BEADS, 2, "witness", "previous", "alice", segment=3)
    with pytest.raises(AlignerError, match="no previous link"):
        review.move(BEADS, 0, "pivot", "previous", "alice")
    with pytest.raises(AlignerError, match="no witness sentence"):
        review.move(BEADS, 3, "witness", "next", "alice")


def test_merge_with_previous_and_next() -> None:
    assert cover(review.merge(BEADS, 3, "previous", "alice"))[2] == ((3, 4), (2, 3))
    merged = review.merge(BEADS, 3, "next", "alice")
    assert cover(merged)[3] == ((4, 5), (4, 5)) and merged[3].resp == "alice"
    with pytest.raises(AlignerError, match="no next link"):
        review.merge(BEADS, 4, "next", "alice")


def test_split_cuts_a_link_in_two() -> None:
    beads = review.split(BEADS, 2, 1, 1, "alice")
    assert cover(beads)[2:4] == [((3,), (2,)), ((), (3,))]
    assert [(b.resp, b.confidence) for b in beads[2:4]] == [(None, 0.0), (None, 0.0)]
    with pytest.raises(AlignerError, match="at least one sentence"):
        review.split(BEADS, 2, 0, 0, "alice")
    with pytest.raises(AlignerError, match="cannot put 3 first"):
        review.split(BEADS, 2, 1, 3, "alice")


def test_a_sentence_with_no_counterpart_becomes_a_link_of_its_own() -> None:
    beads = review.detach(BEADS, 4, "witness", 5, "alice")
    assert cover(beads)[4:] == [((5,), (4,)), ((), (5,))]
    # The sentence alone was approved; the 1-1 left behind was never looked at.
    assert (beads[5].resp, beads[5].confidence) == ("alice", 1.0)
    assert (beads[4].resp, beads[4].confidence) == (None, 0.0)
    beads = review.detach(BEADS, 1, "pivot", 1, "alice")
    assert cover(beads)[1:3] == [((1,), ()), ((2,), (1,))]
    with pytest.raises(AlignerError, match="already has no counterpart"):
        review.detach(BEADS, 3, "pivot", 4, "alice")


def test_check_cover_refuses_gaps_overlaps_and_disorder() -> None:
    with pytest.raises(AlignerError, match="pivot sentences"):
        review.check_cover([Bead((1,), (0,), 1.0), Bead((0,), (1,), 1.0)], 2, 2)
    with pytest.raises(AlignerError, match="witness sentences"):
        review.check_cover([Bead((0,), (0,), 1.0), Bead((1,), (), 1.0)], 2, 2)
    with pytest.raises(AlignerError, match="no sentence on either side"):
        review.check_cover([Bead((0,), (0,), 1.0), Bead((), (), 1.0)], 1, 1)


def test_threshold_and_reviewer_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    assert review.check_threshold(0.0) == 0.0 and review.check_threshold(1.0) == 1.0
    with pytest.raises(AlignerError, match="between 0 and 1"):
        review.check_threshold(1.5)
    monkeypatch.setenv("ALIGNER_REVIEWER", "bob")
    assert review.reviewer_name() == "bob"
    assert review.reviewer_name("alice") == "alice"
    assert review.reviewer_name(" Anna  Reviewer ") == "Anna Reviewer"
    with pytest.raises(AlignerError, match="who is reviewing"):
        review.reviewer_name("\x07")
    monkeypatch.setenv("ALIGNER_NOW", "2026-01-02T03:04:05Z")
    assert now() == "2026-01-02T03:04:05Z"


# --- re-alignment keeps the reviews (on the first paragraphs of the bundled texts) ---------------


def paragraphs(name: str, count: int) -> list[str]:
    text = (TRANSLATIONS / name).read_text(encoding="utf-8")
    found = [" ".join(chunk.split()) for chunk in text.split("\n\n")]
    return [chunk for chunk in found if len(chunk) > 40][:count]


def witness(witness_id: str, lang: str, texts: list[str]) -> Witness:
    segments = tuple(Segment(text, f"{witness_id}.txt", n, n) for n, text in enumerate(texts, 1))
    return Witness(WitnessMeta(id=witness_id, lang=lang), [Block("paragraph", segments)])


def small_edition() -> Edition:
    """The first five paragraphs of each text, aligned 1-1, two links reviewed."""
    ru = witness("ru-1937", "ru", paragraphs("ru-1937-pravda-report.txt", 5))
    en = witness("en-1937", "en", paragraphs("en-1937-mastering-bolshevism.txt", 5))
    beads = [Bead((i,), (i,), 0.3 + 0.1 * i) for i in range(5)]
    beads[1] = Bead((1,), (1,), 1.0, "alice")
    beads[3] = Bead((3,), (3,), 1.0, "bob", "checked against the 1937 print")
    pair = PairAlignment("ru-1937", "en-1937", beads)
    return Edition("test", ru, [en], [pair])


def test_reviews_are_carried_onto_unchanged_texts() -> None:
    edition = small_edition()
    fixed, dropped = review.carry_reviews(edition, edition.pivot, edition.witnesses[0])
    assert fixed == [b for b in edition.alignments[0].beads if b.resp] and dropped == []


def test_a_corrected_witness_keeps_the_reviews_of_unchanged_sentences_only() -> None:
    edition = small_edition()
    texts = [s.text for s in edition.witnesses[0].segments]
    # The scholar corrected the OCR of the fourth paragraph and restored a lost first line.
    corrected = ["Report of Comrade Stalin.", *texts[:3], texts[3].replace("naive", "naïve"), texts[4]]
    new_en = witness("en-1937", "en", corrected)
    fixed, dropped = review.carry_reviews(edition, edition.pivot, new_en)
    assert fixed == [Bead((1,), (2,), 1.0, "alice")]
    assert dropped == ["review of ru-1937.s4 ↔ en-1937.s4 by bob dropped: text of en-1937.s4 changed"]


def test_listing_shows_doubtful_links_least_confident_first_with_context() -> None:
    lines = review.listing(small_edition(), 0.55)
    assert lines[0] == "5 links, 2 doubtful (confidence < 0.55, not reviewed), 2 reviewed"
    headers = [line for line in lines if line.startswith("link ")]
    assert headers == [
        "link en-1937.p1.w1, 1 of 5 (ru-1937 ↔ en-1937) · confidence 0.300",
        "link en-1937.p3.w3, 3 of 5 (ru-1937 ↔ en-1937) · confidence 0.500",
    ]
    third = lines[lines.index(headers[1]) :]
    assert third[1].startswith("     before ru-1937.s2  Из докладов")
    assert any(line.strip().startswith("en-1937.s3") and "Second, the agents" in line for line in third)
    assert any(line.startswith("     after  en-1937.s4  Third, some of our") for line in third)


def test_chinese_context_lines_are_clipped_to_the_terminal_width_in_columns() -> None:
    # A Chinese character takes two columns: clipped at 100 characters, the context ran to 200 columns.
    lines = [line.strip() for line in (MAC_DEV / "006.zh").read_text(encoding="utf-8").splitlines()][:6]
    english = [line.strip() for line in (MAC_DEV / "006.en").read_text(encoding="utf-8").splitlines()][:6]
    zh, en = witness("zh", "zh", lines), witness("en", "en", english)
    edition = Edition(
        "三体", zh, [en], [PairAlignment("zh", "en", [Bead((i,), (i,), 0.3) for i in range(6)])]
    )
    shown = review.listing(edition, 0.55)
    context = [line for line in shown if line.startswith(("     before zh.", "     after  zh."))]
    assert context and any(line.endswith("…") for line in context)
    prefix = len("     before zh.s1  ")
    for line in context:
        columns = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line[prefix:])
        assert columns <= 100 and (columns >= 99 or not line.endswith("…"))


def test_a_witness_with_a_chinese_id_keeps_the_link_s_sentences_in_columns() -> None:
    # An id may be any XML name (README): "中译.s1" is 8 columns, not 6, and padded by characters its
    # sentence stood two columns right of the pivot's.
    lines = [line.strip() for line in (MAC_DEV / "006.zh").read_text(encoding="utf-8").splitlines()][:3]
    english = [line.strip() for line in (MAC_DEV / "006.en").read_text(encoding="utf-8").splitlines()][:3]
    en, zh = witness("en", "en", english), witness("中译", "zh", lines)
    edition = Edition(
        "三体", en, [zh], [PairAlignment("en", "中译", [Bead((i,), (i,), 0.3) for i in range(3)])]
    )
    shown = review.show_doubt(edition, review.doubtful(edition, 0.5, [0])[1], labels=True)
    pivot, chinese = (next(line for line in shown if line.startswith(f"   {k}1 ")) for k in "pw")
    assert columns(pivot[: pivot.index(english[1])]) == columns(chinese[: chinese.index(lines[1])]) == 22


# --- the command, driven the way a person does ----------------------------------------------------


def test_listing_from_the_command_line(hand_file: Path) -> None:
    done = aligner("review", str(hand_file), "--threshold", "0.3")
    assert done.returncode == 0, done.stderr
    first = done.stdout.splitlines()[0]
    edition = read_edition(hand_file)
    total, n_doubtful, reviewed = review.counts(edition, 0.3, [0])
    assert (
        first == f"{total} links, {n_doubtful} doubtful (confidence < 0.3, not reviewed), {reviewed} reviewed"
    )
    confidences = [
        float(line.rsplit(" ", 1)[1]) for line in done.stdout.splitlines() if line.startswith("link ")
    ]
    assert len(confidences) == n_doubtful > 0 and confidences == sorted(confidences)
    assert max(confidences) < 0.3


def test_bad_input_is_refused_in_one_line_and_nothing_is_touched(hand_file: Path, tmp_path: Path) -> None:
    original = hand_file.read_bytes()
    not_tei = tmp_path / "not-tei.xml"
    not_tei.write_text("<html><body><p>Mastering Bolshevism</p></body></html>", encoding="utf-8")
    not_ours = tmp_path / "not-ours.xml"
    not_ours.write_text(
        '<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>x</title>'
        "</titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc></fileDesc>"
        "</teiHeader><text><body><p>x</p></body></text></TEI>",
        encoding="utf-8",
    )
    broken = tmp_path / "broken.tei.xml"  # review checks the tool's own rules in Python, without Java
    broken.write_bytes(original.replace(b'#en-1937.s2"', b'#en-1937.s9999"', 1))
    assert broken.read_bytes() != original
    invalid = tmp_path / "invalid.tei.xml"  # what only the full schema sees: 'aligner validate'
    invalid.write_bytes(original.replace(b'type="alignment"', b'type="alignment" frequency="high"', 1))
    done = aligner("validate", str(invalid))
    assert done.returncode == 1 and "is not valid TEI" in done.stderr, done.stderr
    not_xml = TRANSLATIONS / "manifest.toml"
    cases = {
        not_xml: "is not well-formed XML",
        not_tei: "is not a TEI document",
        not_ours: "not an edition written by aligner",
        broken: "points to unknown sentence",
    }
    for path, message in cases.items():
        before = path.read_bytes()
        done = aligner("review", str(path), "--interactive", stdin="a\n", reviewer="alice")
        assert done.returncode == 1 and message in done.stderr, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
        assert path.read_bytes() == before
    for threshold in ("1.5", "-0.1"):
        done = aligner("review", str(hand_file), "--threshold", threshold)
        assert done.returncode == 1
        assert (
            done.stderr.strip()
            == f"aligner: error: threshold must be between 0 and 1, got {float(threshold):g}"
        )
    done = aligner("review", str(hand_file), "--witness", "de-1938")
    assert done.returncode == 1 and "no alignment with witness 'de-1938'" in done.stderr
    done = aligner("review", str(tmp_path))  # a folder is not a missing edition
    assert (
        done.returncode == 1
        and done.stderr.strip() == f"aligner: error: cannot read edition {tmp_path}: it is a folder"
    )
    assert hand_file.read_bytes() == original


def test_a_decision_that_would_break_the_order_is_refused(hand_file: Path) -> None:
    edition = read_edition(hand_file)
    doubts = review.doubtful(edition, REVIEW_THRESHOLD, [0])
    # The first doubtful link with two witness sentences: its second one cannot go to the previous link.
    rank = next(n for n, d in enumerate(doubts) if len(d.bead.witness) >= 2)
    original = hand_file.read_bytes()
    script = "k\n" * rank + "w< 2\nq\n"
    done = aligner("review", str(hand_file), "--interactive", stdin=script, reviewer="alice")
    assert done.returncode == 0, done.stderr
    assert "! only the first witness sentence of a link can move to the previous link" in done.stdout
    assert "would break the order; nothing changed" in done.stdout
    assert hand_file.read_bytes() == original


def test_ctrl_c_in_a_real_terminal_keeps_what_was_decided(hand_file: Path, terminal: Terminal) -> None:
    terminal.start(f"{ALIGNER} review {hand_file} --interactive --reviewer 'Jo Doe'")
    terminal.wait("review> ")
    terminal.type("a")
    terminal.wait("saved: accepted link")
    terminal.wait("review> ", count=2)
    terminal.tmux("send-keys", "C-c")
    screen = terminal.wait("[exit 130]")
    assert "aligner: interrupted; 1 decision(s) already saved in" in screen
    validate(hand_file)
    edition = read_edition(hand_file)
    assert [c.who for c in edition.changes][-1] == "Jo Doe"
    assert edition.changes[-1].what.startswith("accepted link ")
    assert sum(b.resp == "Jo Doe" for b in edition.alignments[0].beads) == 1


def current_doubt(path: Path, threshold: float) -> review.Doubt:
    """The link the interactive review shows now (what the reviewer sees on the screen)."""
    return review.doubtful(read_edition(path), threshold, [0])[0]


def test_review_the_bundled_edition_quit_resume_finish_and_align_again(
    bundled_edition: Path, tmp_path: Path, terminal: Terminal
) -> None:
    path = tmp_path / "mastering-bolshevism.tei.xml"
    path.write_bytes(bundled_edition.read_bytes())
    machine = sorted(b.confidence for b in read_edition(path).alignments[0].beads if b.resp is None)
    threshold = round((machine[11] + machine[12]) / 2, 6)  # about a dozen doubtful links

    # Alice reviews a handful of links in a real terminal, then quits.
    terminal.start(f"{ALIGNER} review {path} --interactive --reviewer alice --threshold {threshold}")
    terminal.wait("review> ")
    steps = [("a", "saved: accepted link"), ("t the OCR lost a line here", "saved: note on link")]
    steps += [("M", "saved: merged links"), ("u", "saved: undid: merged links")]
    for command, answer in steps:
        terminal.type(command)
        terminal.wait(answer)
    bead = current_doubt(path, threshold).bead
    detach = "n w1" if bead.pivot and bead.witness else "a"
    terminal.wait("review> ", count=len(steps) + 1)
    terminal.type(detach)
    terminal.wait("saved: ", count=len(steps) + 1)
    doubt = current_doubt(path, threshold)
    last = doubt.index == len(read_edition(path).alignments[0].beads) - 1
    move = "w>" if doubt.bead.witness and not last else "a"
    terminal.wait("review> ", count=len(steps) + 2)
    terminal.type(move)
    terminal.wait("saved: ", count=len(steps) + 2)
    terminal.type("q")
    screen = terminal.wait("[exit 0]")
    assert "6 decision(s) saved in" in screen
    validate(path)
    after_alice = read_edition(path)
    assert [c.who for c in after_alice.changes].count("alice") == 6

    # Bob resumes where Alice left off and accepts every link still doubtful.
    left = review.doubtful(after_alice, threshold, [0])
    assert left and all(d.bead.resp is None for d in left)
    done = aligner(
        "review", str(path), "--interactive", "--threshold", str(threshold), stdin="a\n" * 100, reviewer="bob"
    )
    assert done.returncode == 0, done.stderr
    assert f"{len(left)} doubtful (confidence < {threshold:g})" in done.stdout
    assert "no doubtful link left to review." in done.stdout
    validate(path)
    reviewed, reviewed_bytes = read_edition(path), path.read_bytes()
    assert [c.who for c in reviewed.changes].count("bob") == len(left)
    assert (
        aligner("review", str(path), "--threshold", str(threshold))
        .stdout.splitlines()[0]
        .startswith(f"{len(reviewed.alignments[0].beads)} links, 0 doubtful")
    )

    # Aligning the same texts again keeps every reviewed link exactly, and the history.
    done = aligner("align", "--out", str(tmp_path / "mastering-bolshevism"))
    assert done.returncode == 0, done.stderr
    assert "dropped" not in done.stderr
    validate(path)
    again = read_edition(path)
    kept = [b for b in reviewed.alignments[0].beads if b.resp is not None]
    assert len(kept) >= 6 and all(b in again.alignments[0].beads for b in kept)
    assert again.changes[: len(reviewed.changes)] == reviewed.changes
    added = again.changes[len(reviewed.changes) :]
    # Every link the reviewers left alone comes back as it was, confidence included (issue 10: only a
    # review changes a confidence), and the new alignment is one entry of the history.
    moved = [b for b in again.alignments[0].beads if b not in reviewed.alignments[0].beads]
    assert moved == []
    # Nothing changed, so nothing is news: the same bytes, no new history entry. (Aligning again used to
    # swap the 0-1 link Alice's "n w1" made with the unaccepted link beside it, and record a new alignment.)
    assert added == []
    assert path.read_bytes() == reviewed_bytes


def test_split_asks_where_to_cut_and_records_the_change(hand_file: Path) -> None:
    edition = read_edition(hand_file)
    doubts = review.doubtful(edition, REVIEW_THRESHOLD, [0])
    rank, doubt = next((n, d) for n, d in enumerate(doubts) if len(d.bead.pivot) + len(d.bead.witness) == 3)
    script = "k\n" * rank + "s 0 0\nx\ns\n1\n1\nq\n"
    done = aligner("review", str(hand_file), "--interactive", stdin=script, reviewer="Anna Reviewer")
    assert done.returncode == 0, done.stderr
    assert "! each part of a split needs at least one sentence; nothing changed" in done.stdout
    assert "! unknown command 'x' (? for help); nothing changed" in done.stdout
    assert "pivot sentences in the first part (0-" in done.stdout
    validate(hand_file)
    split = read_edition(hand_file)
    beads = split.alignments[0].beads
    head, tail = beads[doubt.index], beads[doubt.index + 1]
    assert (head.pivot, head.witness) == (doubt.bead.pivot[:1], doubt.bead.witness[:1])
    assert head.pivot + tail.pivot == doubt.bead.pivot and head.witness + tail.witness == doubt.bead.witness
    # Neither part is reviewed yet: they head the queue until accepted.
    assert head.resp is None and tail.resp is None and head.confidence == tail.confidence == 0.0
    change = split.changes[-1]
    assert (change.who, change.when) == ("Anna Reviewer", "2026-11-24T12:00:00Z")
    assert change.what.startswith("split link ") and len(split.changes) == len(edition.changes) + 1


def test_aligning_a_corrected_text_again_drops_only_the_reviews_of_changed_sentences(
    bundled_edition: Path, tmp_path: Path
) -> None:
    path = tmp_path / "mb.tei.xml"
    path.write_bytes(bundled_edition.read_bytes())
    # Bob accepts the first three doubtful links that link sentences on both sides.
    doubts = review.doubtful(read_edition(path), REVIEW_THRESHOLD, [0])
    both = [n for n, d in enumerate(doubts) if d.bead.pivot and d.bead.witness][:3]
    script = "".join("a\n" if n in both else "k\n" for n in range(both[-1] + 1)) + "q\n"
    done = aligner("review", str(path), "--interactive", stdin=script, reviewer="bob")
    assert done.returncode == 0, done.stderr
    reviewed = read_edition(path)
    kept = [b for b in reviewed.alignments[0].beads if b.resp == "bob"]
    assert len(kept) == 3
    # The scholar corrects one word of the English text in one of the reviewed sentences.
    folder = tmp_path / "translations"
    folder.mkdir()
    for source in TRANSLATIONS.iterdir():
        (folder / source.name).write_bytes(source.read_bytes())
    english = folder / "en-1937-mastering-bolshevism.txt"
    raw = english.read_text(encoding="utf-8")
    unique = {w for w in re.findall(r"[A-Za-z]{5,}", raw) if len(re.findall(rf"\b{w}\b", raw)) == 1}
    sentences = reviewed.witnesses[0].segments
    changed, index, word = next(
        (bead, i, w)
        for bead in kept
        for i in bead.witness
        for w in re.findall(r"[A-Za-z]{5,}", sentences[i].text)
        if w in unique
    )
    # reversed, its case pattern kept, so that a heading stays a heading and the sentences stay as they were
    reversed_word = word[::-1].lower().capitalize() if word[0].isupper() else word[::-1]
    english.write_text(re.sub(rf"\b{word}\b", reversed_word, raw), encoding="utf-8")

    done = aligner("align", "--manifest", str(folder / "manifest.toml"), "--out", str(tmp_path / "mb"))
    assert done.returncode == 0, done.stderr
    changed_id = reviewed.witnesses[0].segment_ids()[index]
    assert f"dropped: text of {changed_id} changed" in done.stderr
    again = read_edition(path)
    assert all(bead in again.alignments[0].beads for bead in kept if bead != changed)
    assert changed not in again.alignments[0].beads
    assert again.changes[: len(reviewed.changes)] == reviewed.changes
    new = again.changes[len(reviewed.changes) :]
    assert [c.who for c in new] == ["aligner", "aligner"]
    assert (
        new[0].what.startswith("aligned en-1937 with ru-1937 again")
        and "kept 2 reviewed link(s)" in new[0].what
    )
    assert new[1].what.startswith("review of ") and f"text of {changed_id} changed" in new[1].what
    validate(path)


def test_a_split_or_move_leaves_the_changed_links_to_review_until_accepted(hand_file: Path) -> None:
    edition = read_edition(hand_file)
    total = len(edition.alignments[0].beads)
    doubts = review.doubtful(edition, REVIEW_THRESHOLD, [0])
    rank, doubt = next((n, d) for n, d in enumerate(doubts) if len(d.bead.pivot) + len(d.bead.witness) == 3)
    script = "k\n" * rank + "s 1 1\nq\n"
    done = aligner("review", str(hand_file), "--interactive", stdin=script, reviewer="al")
    assert done.returncode == 0, done.stderr
    # The reviewer stays on the two parts: the next link shown is the first part, not yet reviewed.
    after = done.stdout.split("saved: split link", 1)[1]
    beads = read_edition(hand_file).alignments[0].beads
    head = link_id("en-1937", beads[doubt.index])
    assert f"link {head}, {doubt.index + 1} of {total + 1} (ru-1937 ↔ en-1937) · confidence 0.000" in after
    assert [(b.resp, b.confidence) for b in beads[doubt.index : doubt.index + 2]] == [(None, 0.0)] * 2
    done = aligner("review", str(hand_file), "--interactive", stdin="a\na\nq\n", reviewer="al")
    beads = read_edition(hand_file).alignments[0].beads
    assert [(b.resp, b.confidence) for b in beads[doubt.index : doubt.index + 2]] == [("al", 1.0)] * 2

    # A move: both links it changed come back, first the one the reviewer was on, then its neighbour.
    doubts = review.doubtful(read_edition(hand_file), REVIEW_THRESHOLD, [0])
    rank, doubt = next(
        (n, d) for n, d in enumerate(doubts) if len(d.bead.witness) >= 2 and d.index < len(beads) - 1
    )
    script = "k\n" * rank + "w>\na\nq\n"
    done = aligner("review", str(hand_file), "--interactive", stdin=script, reviewer="al")
    assert done.returncode == 0, done.stderr
    after = done.stdout.split("saved: moved", 1)[1]
    shown = re.findall(r"link \S+, (\d+) of \d+ .* confidence ([\d.]+)", after)
    assert shown[:2] == [(str(doubt.index + 1), "0.000"), (str(doubt.index + 2), "0.000")]
    beads = read_edition(hand_file).alignments[0].beads
    assert (beads[doubt.index].resp, beads[doubt.index + 1].resp) == ("al", None)
    validate(hand_file)


def test_a_split_nobody_accepted_yet_survives_aligning_again(bundled_edition: Path, tmp_path: Path) -> None:
    """Issue 10: a split (or move) leaves its links pending, confidence 0.0, until someone accepts them.
    Aligning the same texts again must neither undo the split (the search would join the parts again)
    nor take the parts out of the review queue; once their text changes, dropping them is said."""
    path = tmp_path / "mb.tei.xml"
    path.write_bytes(bundled_edition.read_bytes())
    doubts = review.doubtful(read_edition(path), REVIEW_THRESHOLD, [0])
    rank, doubt = next(
        (n, d) for n, d in enumerate(doubts) if len(d.bead.pivot) >= 2 and len(d.bead.witness) >= 2
    )
    done = aligner("review", str(path), "--interactive", stdin="k\n" * rank + "s 1 1\nq\n", reviewer="bob")
    assert done.returncode == 0, done.stderr
    split = read_edition(path).alignments[0].beads
    parts = split[doubt.index : doubt.index + 2]
    assert [(b.resp, b.confidence) for b in parts] == [(None, review.PENDING)] * 2

    done = aligner("align", "--out", str(tmp_path / "mb"))
    assert done.returncode == 0, done.stderr
    again = read_edition(path)
    assert again.alignments[0].beads == split  # the parts, still pending, and every other link as it was
    assert "kept 0 reviewed link(s)" in done.stdout
    assert len(review.doubtful(again, REVIEW_THRESHOLD, [0])) == len(doubts) + 1

    # The English of the second part is corrected: that part no longer holds, and the user hears it.
    folder = tmp_path / "translations"
    folder.mkdir()
    for source in TRANSLATIONS.iterdir():
        (folder / source.name).write_bytes(source.read_bytes())
    english = folder / "en-1937-mastering-bolshevism.txt"
    sentence = again.witnesses[0].segments[parts[1].witness[0]]
    lines = english.read_text(encoding="utf-8").splitlines(keepends=True)
    line = sentence.line_start - 1
    first_word = re.search(r"[A-Za-z]{4,}", lines[line])
    assert first_word is not None
    lines[line] = lines[line].replace(first_word.group(), first_word.group().upper(), 1)
    english.write_text("".join(lines), encoding="utf-8")
    done = aligner("align", "--manifest", str(folder / "manifest.toml"), "--out", str(tmp_path / "mb"))
    assert done.returncode == 0, done.stderr
    changed_id = again.witnesses[0].segment_ids()[parts[1].witness[0]]
    assert "unaccepted change of " in done.stderr and f"dropped: text of {changed_id} changed" in done.stderr
    last = read_edition(path)
    assert parts[0] in last.alignments[0].beads and parts[1] not in last.alignments[0].beads
    assert last.changes[-1].what.startswith("unaccepted change of ")


def test_a_note_on_a_link_nobody_reviewed_survives_aligning_again(
    bundled_edition: Path, tmp_path: Path
) -> None:
    """A note does not decide a link, so the link is not fixed; but aligning again dropped the note with
    no word (only its history entry stayed). It comes back on the same link, and when that link is gone
    (its English corrected), the loss is said, with the note's text, and recorded."""
    path = tmp_path / "mb.tei.xml"
    path.write_bytes(bundled_edition.read_bytes())
    doubts = review.doubtful(read_edition(path), REVIEW_THRESHOLD, [0])
    rank, doubt = next((n, d) for n, d in enumerate(doubts) if d.bead.pivot and d.bead.witness)
    note = "compare with the 1937 Pravda print"
    done = aligner(
        "review", str(path), "--interactive", stdin="k\n" * rank + f"t {note}\nq\n", reviewer="eve"
    )
    assert done.returncode == 0, done.stderr
    noted = read_edition(path)
    assert [(b.pivot, b.witness, b.resp) for b in noted.alignments[0].beads if b.note] == [
        (doubt.bead.pivot, doubt.bead.witness, None)
    ]

    done = aligner("align", "--out", str(tmp_path / "mb"))
    assert done.returncode == 0, done.stderr
    assert read_edition(path).alignments[0].beads == noted.alignments[0].beads

    folder = tmp_path / "translations"
    folder.mkdir()
    for source in TRANSLATIONS.iterdir():
        (folder / source.name).write_bytes(source.read_bytes())
    english = folder / "en-1937-mastering-bolshevism.txt"
    sentence = noted.witnesses[0].segments[doubt.bead.witness[0]]
    lines = english.read_text(encoding="utf-8").splitlines(keepends=True)
    word = re.search(r"[A-Za-z]{4,}", lines[sentence.line_start - 1])
    assert word is not None
    lines[sentence.line_start - 1] = lines[sentence.line_start - 1].replace(
        word.group(), word.group().upper(), 1
    )
    english.write_text("".join(lines), encoding="utf-8")
    done = aligner("align", "--manifest", str(folder / "manifest.toml"), "--out", str(tmp_path / "mb"))
    assert done.returncode == 0, done.stderr
    said = f"dropped: the link is no longer there ({note!r})"
    assert said in done.stderr
    again = read_edition(path)
    assert not any(b.note for b in again.alignments[0].beads)
    assert again.changes[-1].what.startswith("note on ") and again.changes[-1].what.endswith(said)
