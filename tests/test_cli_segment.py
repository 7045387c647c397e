"""``aligner segment``: what a user sees and gets, and how bad input ends."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from paths import ROOT, TEXTBERG, TRANSLATIONS

from aligner.cli import main
from aligner.witness import columns

ENGLISH = TRANSLATIONS / "en-1937-mastering-bolshevism.txt"


def test_segment_shows_structure_and_sentences_with_line_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["segment", str(ENGLISH), "--lang", "en"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "== en-1937-mastering-bolshevism.txt"
    assert "       37  heading 1    Political Carelessness" in out
    assert any(line.startswith("  664-668  point 1.     First and foremost the attention") for line in out)
    assert any(line.startswith("  100-102") and "business of the Bolsheviks" in line for line in out)
    assert out[-1].startswith("en-1937-mastering-bolshevism (en): ")


def test_chinese_labels_keep_the_listing_in_columns(capsys: pytest.CaptureFixture[str]) -> None:
    # "heading 一" is ten columns, not nine: padded by characters, its sentence stood one column right.
    assert main(["segment", str(ROOT / "benchmarks" / "data" / "ru-zh-whole" / "zh.txt:zh")]) == 0
    out = capsys.readouterr().out.splitlines()
    heading = next(line for line in out if line.startswith("       16  heading 一"))
    paragraph = next(line for line in out if line.startswith("       18  paragraph"))
    assert columns(heading[: heading.index("政治")]) == columns(paragraph[: paragraph.index("我们")]) == 24


def test_segment_a_manifest_witness_writes_json_and_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    json_path, txt_path = tmp_path / "out" / "ru.json", tmp_path / "ru.txt"
    assert main(["segment", "ru-1937", "--json", str(json_path), "--txt", str(txt_path)]) == 0
    assert "source       Правда. 1 апреля 1937 года" in capsys.readouterr().out
    record = json.loads(json_path.read_text(encoding="utf-8"))
    assert record["id"] == "ru-1937" and record["lang"] == "ru"
    assert record["files"] == ["ru-1937-pravda-report.txt", "ru-1937-pravda-concluding.txt"]
    first = record["blocks"][0]
    assert first["kind"] == "title"
    assert first["segments"][0] == {
        "id": "ru-1937.s1",
        "text": "О недостатках партийной работы и мерах ликвидации троцкистских и иных двурушников",
        "file": "ru-1937-pravda-report.txt",
        "line_start": 1,
        "line_end": 1,
    }
    sentences = [s["text"] for block in record["blocks"] for s in block["segments"]]
    # The text output is presegmented input: read back, it gives the same sentences.
    lines = txt_path.read_text(encoding="utf-8").split("\n")
    assert [line for line in lines if line] == sentences
    assert list(tmp_path.rglob("*.tmp")) == []


def test_textberg_file_is_read_as_presegmented(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["segment", str(TEXTBERG / "test4.fr"), "--lang", "fr"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1].startswith("test4 (fr): 40 sentences")


def test_a_cp1251_file_is_decoded_and_the_user_told(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = TRANSLATIONS / "ru-1937-pravda-report.txt"
    path = tmp_path / "report-cp1251.txt"
    path.write_bytes(source.read_text(encoding="utf-8").encode("cp1251", errors="replace"))
    assert main(["segment", f"{path}:ru"]) == 0
    captured = capsys.readouterr()
    assert captured.err.strip() == "aligner: note: decoded report-cp1251.txt as cp1251"
    assert "heading      Политическая беспечность" in captured.out


def test_an_aozora_bunko_file_is_decoded_cleaned_and_the_user_told(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    aozora = Path(__file__).parent / "data" / "wagahai-aozora.txt"  # cp932, CRLF, ruby, notes, colophon
    assert main(["segment", f"{aozora}:ja", "--txt", str(tmp_path / "neko.txt")]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "aligner: note: decoded wagahai-aozora.txt as cp932",
        "aligner: note: wagahai-aozora.txt is an Aozora Bunko text: removed its notes on symbols, "
        "17 ruby reading(s), 8 editor's note(s) and its colophon (底本：…)",
    ]
    assert "  title        吾輩は猫である" in captured.out
    assert "  heading      一" in captured.out
    sentences = (tmp_path / "neko.txt").read_text(encoding="utf-8").splitlines()
    assert sentences[:7] == ["吾輩は猫である", "", "夏目漱石", "", "一", "", "吾輩は猫である。"]
    assert not any(mark in line for line in sentences for mark in ("《", "｜", "［＃", "底本", "青空文庫"))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-32-be"])
def test_utf16_and_utf32_with_a_byte_order_mark_are_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], encoding: str
) -> None:
    # What Windows' Notepad calls "Unicode": UTF-16 with a byte order mark, NUL bytes all through it.
    assert main(["segment", str(ENGLISH), "--lang", "en"]) == 0
    expected = capsys.readouterr().out.splitlines()[1:]
    path = tmp_path / f"{ENGLISH.stem}.txt"
    text = ENGLISH.read_text(encoding="utf-8").replace("\n", "\r\n")
    path.write_bytes(
        ("\ufeff" + text).encode(encoding) if encoding.endswith("-be") else text.encode(encoding)
    )
    assert main(["segment", str(path), "--lang", "en"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[1:] == expected
    assert captured.err.strip() == f"aligner: note: decoded {path.name} as {encoding[:6]}"


def test_a_manifest_saved_as_utf16_is_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "en.txt").write_text("It was March. The plenum met.\n", encoding="utf-16")
    manifest = tmp_path / "manifest.toml"
    manifest.write_text('[[witness]]\nid = "en"\nlang = "en"\nfiles = ["en.txt"]\n', encoding="utf-16")
    assert main(["segment", "en", "--manifest", str(manifest)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "en (en): 2 sentences in 1 paragraph blocks"


@pytest.mark.parametrize(
    ("args", "content", "message"),
    [
        (
            ["missing.txt", "--lang", "en"],
            None,
            "no such file or manifest witness: missing.txt",
        ),
        (["empty.txt", "--lang", "en"], b"", "is empty"),
        (["image.txt", "--lang", "en"], b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks like a binary file"),
        (["page.txt", "--lang", "xx"], b"A sentence.", "unknown language code 'xx'"),
        (["page.txt", "--lang", "en"], b"- 12 -\n\n13\n", "no sentence found"),
        (["page.txt"], b"A sentence.", "language of page.txt unknown"),
        (["cut.txt", "--lang", "en"], "\ufeffA sentence.".encode("utf-16-le") + b"\x00", "not UTF-16"),
        (["blank.txt", "--lang", "en"], " \n".encode("utf-16"), "is empty"),
    ],
)
def test_bad_input_ends_in_one_line_and_status_1(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    content: bytes | None,
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    if content is not None:
        Path(args[0]).write_bytes(content)
    assert main(["segment", *args]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("aligner: error: ")
    assert message in err


def test_a_failed_run_leaves_an_earlier_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    assert main(["segment", str(ENGLISH), "--lang", "en", "--json", str(out)]) == 0
    before = out.read_bytes()
    (tmp_path / "empty.txt").write_bytes(b"")
    assert main(["segment", str(tmp_path / "empty.txt"), "--lang", "en", "--json", str(out)]) == 1
    assert out.read_bytes() == before


def test_forcing_raw_splits_lines_that_hold_two_sentences(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "two.txt"
    path.write_text("First sentence here. Second one.\nThird sentence.\nFourth sentence.\n", encoding="utf-8")

    def sentences(*flags: str) -> list[str]:
        """The sentences ``aligner segment`` lists (lines, kind, then the text from column 24)."""
        assert main(["segment", str(path), "--lang", "en", *flags]) == 0
        return [line[24:] for line in capsys.readouterr().out.splitlines()[1:-1]]

    # one sentence a line, as given: the first line stays whole
    assert sentences("--presegmented") == [
        "First sentence here. Second one.",
        "Third sentence.",
        "Fourth sentence.",
    ]
    # cleaned and split: the first line holds two sentences
    assert sentences("--raw") == [
        "First sentence here.",
        "Second one.",
        "Third sentence.",
        "Fourth sentence.",
    ]


def test_one_long_line_with_wide_gaps_is_segmented(tmp_path: Path) -> None:
    # A whole text on one line, three spaces after every sentence: the layout of a running header
    # ("TITLE   17") all along it. The header pattern once backtracked on it for minutes (issue 9, case 5);
    # the timeout only stops a hang, the speed itself is measured by benchmarks/long_line.py.
    path = tmp_path / "l.txt"
    path.write_text("Some words here.   " * 20_000 + "12\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "aligner.cli", "segment", f"{path}:en"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1] == "        1  paragraph    Some words here."
    assert lines[-2].endswith(" 12")  # the number ending the line is text: a header is one printed line
    assert lines[-1] == "l (en): 20001 sentences in 1 paragraph blocks"


# --- languages: right-to-left scripts, and a text that does not look like its language (case 11) -------

RIGHT_TO_LEFT = {
    "he": ("שלום עולם. מה שלומך? אני בסדר! תודה רבה.", 4),
    "yi": ("ער איז געקומען. זי האט געזאגט: גוט! װאָס מאַכסטו?", 3),
    "ar": ("هذا كتاب. هل هو جيد؟ نعم.", 3),
    "fa": ("این یک کتاب است. آیا خوب است؟ بله.", 3),
    "ur": ("یہ ایک کتاب ہے۔ کیا یہ اچھی ہے؟ ہاں۔", 3),
    "ps": ("دا یو کتاب دی۔ هغه ښه دی؟ هو۔", 3),
    "ug": ("بۇ كىتاب. ئۇ ياخشى؟ ھەئە.", 3),
}


@pytest.mark.parametrize("lang", sorted(RIGHT_TO_LEFT))
def test_right_to_left_languages_are_segmented(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str
) -> None:
    text, count = RIGHT_TO_LEFT[lang]
    path = tmp_path / f"{lang}.txt"
    path.write_text(text + "\n", encoding="utf-8")
    assert main(["segment", f"{path}:{lang}"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[-1] == f"{lang} ({lang}): {count} sentences in 1 paragraph blocks"
    assert captured.err == ""


def test_a_text_that_does_not_look_like_its_language_is_warned_about(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["segment", f"{ENGLISH}:ru"]) == 0  # English OCR declared Russian: read, with a warning
    captured = capsys.readouterr()
    assert captured.out.splitlines()[-1].startswith("en-1937-mastering-bolshevism (ru): ")
    assert captured.err == (
        "aligner: warning: en-1937-mastering-bolshevism (en-1937-mastering-bolshevism.txt) is declared 'ru' "
        "(Cyrillic), but its letters are mostly Latin\n"
    )
    hebrew = tmp_path / "he.txt"
    hebrew.write_text(RIGHT_TO_LEFT["he"][0] + "\n", encoding="utf-8")
    for lang, script in (("ar", "Arabic"), ("zh", "Chinese characters"), ("en", "Latin")):
        assert main(["segment", f"{hebrew}:{lang}"]) == 0
        assert capsys.readouterr().err.endswith(
            f"is declared {lang!r} ({script}), but its letters are mostly Hebrew\n"
        )
    # The bundled Russian, with its Latin abbreviations and names, is Russian.
    assert main(["segment", "ru-1937"]) == 0
    assert capsys.readouterr().err == ""


def test_chinese_with_english_terms_is_not_warned_about_but_english_declared_chinese_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # More Latin letters than Chinese characters, as in any technical Chinese: a Chinese character counts
    # as three letters, so it is Chinese (it once was "mostly Latin").
    path = tmp_path / "论文.txt"
    path.write_text(
        "我们使用Transformer模型和BERT进行fine-tuning，在GLUE基准上取得了SOTA结果。\n"
        "他在Microsoft Research Asia做machine translation的研究。\n",
        encoding="utf-8",
    )
    assert main(["segment", f"{path}:zh"]) == 0
    assert capsys.readouterr().err == ""
    path.write_text("The plenum met in March. It heard two reports, 报告 and 结束语.\n", encoding="utf-8")
    assert main(["segment", f"{path}:zh"]) == 0
    assert capsys.readouterr().err.endswith(
        "is declared 'zh' (Chinese characters), but its letters are mostly Latin\n"
    )
