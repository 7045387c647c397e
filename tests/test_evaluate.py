"""Alignment files and the strict/lax metrics of Vecalign's score.py, checked against hand computations."""

from __future__ import annotations

import pytest
from paths import ROOT, SHARED
from paths import TEXTBERG as BENCH

from aligner.alignment import Bead, format_alignment, parse_alignment, read_alignment, write_alignment
from aligner.errors import AlignerError
from aligner.evaluate import (
    calibration_error,
    check_same_texts,
    comparable_words,
    compose_golds,
    confidence_quality,
    project_beads,
    reference_map,
    reliability,
    reliability_table,
    score,
    wrong_beads,
)

GOLD = parse_alignment("[0]:[0]\n[1]:[1,2]\n[2,3]:[3]\n[]:[4]\n")
# one right 1-1, a 1-2 cut short, a 2-1 cut in two, an insertion right and one wrongly split off
TEST = parse_alignment("[0]:[0]\n[1]:[1]\n[]:[2]\n[2]:[3]\n[3]:[]\n[]:[4]\n")


def test_read_and_write_the_vecalign_format(tmp_path):
    gold = read_alignment(BENCH / "test4.defr")
    assert gold[0] == Bead((0,), (0,), 1.0)
    path = write_alignment(tmp_path / "a.align", [Bead((1, 2), (3,), 0.8125), Bead((), (4,), 0.5)])
    assert path.read_text(encoding="utf-8") == "[1,2]:[3]:0.8125\n[]:[4]:0.5000\n"
    assert read_alignment(path) == [Bead((1, 2), (3,), 0.8125), Bead((), (4,), 0.5)]
    assert format_alignment(gold[:2], with_confidence=False) == "[0]:[0]\n[1]:[1]\n"


def test_hand_computed_scores():
    # precision over the 6 predicted beads: strict right [0]:[0] and []:[4]; lax also [1]:[1] and [2]:[3]
    # recall over the 3 gold beads with both sides: strict [0]:[0]; lax all three
    result = score([GOLD], [TEST])
    assert result.precision_strict == pytest.approx(2 / 6)
    assert result.precision_lax == pytest.approx(4 / 6)
    assert result.recall_strict == pytest.approx(1 / 3)
    assert result.recall_lax == pytest.approx(1.0)
    assert result.f1_strict == pytest.approx(1 / 3)
    assert result.f1_lax == pytest.approx(0.8)


def test_counts_are_summed_over_documents_before_dividing():
    one = parse_alignment("[0]:[0]")
    result = score([GOLD, one], [TEST, one])
    assert result.precision_strict == pytest.approx(3 / 7)
    assert result.recall_strict == pytest.approx(2 / 4)
    assert result.f1_strict == pytest.approx(6 / 13)


def test_perfect_alignment_scores_one():
    gold = read_alignment(BENCH / "test0.defr")
    result = score([gold], [gold])
    assert (result.f1_strict, result.f1_lax) == (1.0, 1.0)


def test_bad_alignment_files(tmp_path):
    with pytest.raises(AlignerError, match="line 2"):
        parse_alignment("[0]:[0]\n0 - 1\n", "x.align")
    with pytest.raises(AlignerError, match="no such alignment file"):
        read_alignment(tmp_path / "missing.align")
    (tmp_path / "odd.align").write_text("[0]:[0]:1.2.3\n", encoding="utf-8")
    with pytest.raises(AlignerError, match=r"odd.align, line 1: not an alignment link"):
        read_alignment(tmp_path / "odd.align")
    with pytest.raises(AlignerError, match="line 1"):
        parse_alignment("[0]:[0]:1.5\n", "x.align")  # a confidence is between 0 and 1


def test_an_empty_alignment_file_is_refused_not_scored_zero(tmp_path):
    (tmp_path / "empty.align").write_text("\n", encoding="utf-8")
    with pytest.raises(AlignerError, match="holds no alignment links"):
        read_alignment(tmp_path / "empty.align")


def test_alignments_of_different_texts_are_not_compared():
    gold = read_alignment(BENCH / "test0.defr")
    check_same_texts(gold, gold, ("a", "b"))
    other = read_alignment(BENCH / "test1.defr")
    with pytest.raises(AlignerError, match="not the same texts"):
        check_same_texts(other, gold, ("test1.defr", "test0.defr"))


def test_the_tools_sentences_are_mapped_to_the_golds_by_their_words():
    # the enru-dev gold's first four English sentences, cut as a cleaner of the raw OCR might cut them:
    # the title in three, a running header left in, two sentences joined with a word broken at a
    # line end, one sentence cut in two at a comma
    gold = (SHARED / "bench" / "enru-dev" / "en.sents").read_text(encoding="utf-8").splitlines()[:4]
    third = gold[3].index(" penetrated")
    segments = [
        "JV Stalin",
        "Mastering Bolshevism",
        gold[0].removeprefix("JV Stalin Mastering Bolshevism "),
        "JV Stalin     Mastering Bolshevism  2",
        gold[1] + " " + gold[2].replace("diversion", "diver- sion"),
        gold[3][:third] + ",",
        gold[3][third:],
    ]
    assert reference_map(segments, gold) == [(0,), (0,), (0,), (), (1, 2), (3,), (3,)]
    # beads over those segments, carried onto the gold's sentences: the title's pieces and the two
    # halves of sentence 3 each become one bead (at the lowest confidence), the header's bead drops out
    beads = [
        Bead((0, 1), (0,), 0.9),
        Bead((2,), (1,), 0.8),
        Bead((3,), (), 1.0),
        Bead((4,), (2, 3), 0.7),
        Bead((5,), (4,), 0.6),
        Bead((6,), (5,), 0.95),
    ]
    en_map = reference_map(segments, gold)
    ru_map = [(0,), (0,), (1, 2), (3,), (4,), (4,)]
    assert project_beads(beads, en_map, ru_map) == [
        Bead((0,), (0,), 0.8),
        Bead((1, 2), (1, 2, 3), 0.7),
        Bead((3,), (4,), 0.6),
    ]


def test_words_compare_across_cleanings():
    assert comparable_words("Во-первых, ещё  СЕЛЬ-\u00adСКИЙ «совет»!") == [
        "вопервых",
        "еще",
        "сельский",
        "совет",
    ]


def test_chinese_and_japanese_compare_character_by_character():
    # no spaces to find words by: each Han or kana character is a unit, a Latin or Cyrillic word or a
    # number (full-width forms folded) stays one
    assert comparable_words("联共（布）１９３７年ＶＫＰ") == ["联", "共", "布", "1937", "年", "vkp"]
    assert comparable_words("吾輩は猫である。名前はまだ々無い。")[:6] == ["吾", "輩", "は", "猫", "で", "あ"]


def test_chinese_sentences_are_mapped_to_the_golds_however_a_cleaner_joined_its_lines():
    # the ru-zh-dev gold's title block, its first sentence, a heading and the next four sentences, cut
    # as cleaners might cut them: the title's two lines joined with nothing between (no comma to find
    # words by), a space left where a line was wrapped, the heading's label dropped, a question and its
    # answer joined, a sentence cut where a raw file wrapped its line in the middle of a clause
    lines = (ROOT / "benchmarks" / "data" / "ru-zh-dev" / "zh.sents").read_text(encoding="utf-8")
    gold = lines.splitlines()[:3] + lines.splitlines()[8:13]
    assert (gold[2], gold[3]) == ("同志们！", "一、政治上的麻痹大意")
    wrap = gold[7].index("记载下来")
    segments = [
        gold[0] + gold[1],
        "同志 们！",
        gold[3].removeprefix("一、"),
        gold[4],
        gold[5] + gold[6],
        gold[7][:wrap],
        gold[7][wrap:],
    ]
    assert reference_map(segments, gold) == [(0, 1), (2,), (3,), (4,), (5, 6), (7,), (7,)]


def test_an_english_chinese_gold_is_composed_through_the_russian():
    # enru-dev's [en]:[ru] and ru-zh-dev's [zh]:[ru] over the same 190 Russian sentences: English
    # against Chinese, the beads joined where the two translators grouped the Russian differently
    en_ru = read_alignment(SHARED / "bench" / "enru-dev" / "en-ru.gold")
    zh_ru = read_alignment(ROOT / "benchmarks" / "data" / "ru-zh-dev" / "zh-ru.gold")
    en_zh = compose_golds(en_ru, zh_ru)
    assert len(en_zh) == 180
    assert sorted(i for bead in en_zh for i in bead.pivot) == list(range(189))
    assert sorted(k for bead in en_zh for k in bead.witness) == list(range(186))
    en_beads = {bead.pivot for bead in en_ru}
    zh_beads = {bead.pivot for bead in zh_ru}
    larger = [bead for bead in en_zh if bead.pivot not in en_beads or bead.witness not in zh_beads]
    assert len(larger) == 7
    # the English joins a Russian pair (en 1 = ru 1-2) the Chinese keeps apart (zh 2 = ru 1, zh 3 =
    # ru 2); the Chinese joins one (zh 22 = ru 21-22) the English keeps apart (en 20, en 21)
    assert Bead((1,), (2, 3), 1.0) in larger
    assert Bead((20, 21), (22,), 1.0) in larger
    assert Bead((0,), (0, 1), 1.0) in en_zh  # the title: both cut the Russian's one sentence


def test_a_component_with_one_side_only_becomes_one_sided_beads():
    # en 2 and zh 1 translate nothing the other has; the Russian 3 is in neither translation
    en_ru = parse_alignment("[0]:[0]\n[1]:[1,2]\n[2]:[]\n[3]:[4]\n")
    zh_ru = parse_alignment("[0]:[0]\n[1]:[]\n[2]:[1]\n[3]:[2]\n[4]:[4]\n")
    assert [(b.pivot, b.witness) for b in compose_golds(en_ru, zh_ru)] == [
        ((0,), (0,)),
        ((), (1,)),
        ((1,), (2, 3)),
        ((2,), ()),
        ((3,), (4,)),
    ]


def test_confidence_quality_counts_the_wrong_beads_as_the_strict_score_does():
    wrong = wrong_beads(GOLD, TEST)
    assert wrong == [False, True, True, True, True, False]  # only [0]:[0] and []:[4] are gold beads
    confidences = [0.99, 0.2, 0.6, 0.75, 0.9, 0.95]
    q = confidence_quality(confidences, wrong, threshold=0.7)
    assert (q.beads, q.wrong) == (6, 4)
    assert q.lowest_tenth == pytest.approx(1 / 4)  # the 10% least confident: one bead (0.2), wrong
    assert q.flagged == pytest.approx(2 / 6)  # 0.2 and 0.6
    assert q.caught == pytest.approx(2 / 4)
    assert q.ratio == pytest.approx((2 / 6) / (4 / 6))
    assert confidence_quality([0.9, 0.5], [False, False], 0.7).ratio is None  # nothing wrong: no ratio
    with pytest.raises(AlignerError):
        confidence_quality([0.5], [True, False], 0.7)


def test_a_reliability_diagram_compares_predicted_and_observed_per_bin():
    confidences = [0.1, 0.2, 0.6, 0.65, 0.99, 1.0, 1.0, 0.97]
    wrong = [True, False, False, True, False, False, False, True]
    bins = reliability(confidences, wrong, edges=(0.0, 0.5, 0.9, 1.0))
    assert [(b.low, b.high, b.beads) for b in bins] == [(0.0, 0.5, 2), (0.5, 0.9, 2), (0.9, 1.0, 4)]
    assert bins[0].predicted == pytest.approx(0.15) and bins[0].right == pytest.approx(0.5)
    assert bins[2].predicted == pytest.approx(0.99) and bins[2].right == pytest.approx(0.75)  # 1.0 is inside
    assert calibration_error(bins) == pytest.approx((2 * 0.35 + 2 * 0.125 + 4 * 0.24) / 8)
    perfect = reliability([0.5, 0.5, 1.0], [True, False, False], edges=(0.0, 0.9, 1.0))
    assert calibration_error(perfect) == pytest.approx(0.0)
    assert "[0.98, 1.00]" in reliability_table(confidences, wrong)
