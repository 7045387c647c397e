"""Exports of a parallel edition: TSV, TMX (read back by translate-toolkit, as a TM tool would), and the
self-contained HTML page, rendered by headless Chromium to see it is a page and not only markup."""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import tempfile
import zlib
from dataclasses import replace
from pathlib import Path

import html5lib
import pytest
from conftest import HOSTILE
from lxml import etree
from lxml import html as lxml_html
from paths import CHROMIUM_FLAGS, TEXTBERG
from translate.storage.tmx import tmxfile

from aligner import review
from aligner.alignment import Bead, PairAlignment, read_alignment
from aligner.cli import main
from aligner.edition import Edition, link_id, read_edition, validate, write_edition
from aligner.export import TSV_COLUMNS, html_page, parallel_rows, tmx, tsv, write_outputs
from aligner.witness import Block, Segment, Witness, WitnessMeta

# The part of the TMX 1.4b DTD (LISA OSCAR, tmx14.dtd) that aligner writes: no ude/map, no inline codes.
TMX14_DTD = """
<!ENTITY % segtypes "block|paragraph|sentence|phrase">
<!ELEMENT tmx (header, body)>
<!ATTLIST tmx version CDATA #FIXED "1.4">
<!ELEMENT header (note|prop)*>
<!ATTLIST header creationtool CDATA #REQUIRED creationtoolversion CDATA #REQUIRED
  segtype (%segtypes;) #REQUIRED o-tmf CDATA #REQUIRED adminlang CDATA #REQUIRED srclang CDATA #REQUIRED
  datatype CDATA #REQUIRED o-encoding CDATA #IMPLIED creationdate CDATA #IMPLIED creationid CDATA #IMPLIED
  changedate CDATA #IMPLIED changeid CDATA #IMPLIED>
<!ELEMENT body (tu*)>
<!ELEMENT note (#PCDATA)>
<!ATTLIST note xml:lang CDATA #IMPLIED o-encoding CDATA #IMPLIED>
<!ELEMENT prop (#PCDATA)>
<!ATTLIST prop type CDATA #REQUIRED xml:lang CDATA #IMPLIED o-encoding CDATA #IMPLIED>
<!ELEMENT tu ((note|prop)*, tuv+)>
<!ATTLIST tu tuid CDATA #IMPLIED o-encoding CDATA #IMPLIED datatype CDATA #IMPLIED usagecount CDATA #IMPLIED
  lastusagedate CDATA #IMPLIED creationtool CDATA #IMPLIED creationtoolversion CDATA #IMPLIED
  creationdate CDATA #IMPLIED creationid CDATA #IMPLIED changedate CDATA #IMPLIED
  segtype (%segtypes;) #IMPLIED changeid CDATA #IMPLIED o-tmf CDATA #IMPLIED srclang CDATA #IMPLIED>
<!ELEMENT tuv ((note|prop)*, seg)>
<!ATTLIST tuv xml:lang CDATA #REQUIRED o-encoding CDATA #IMPLIED datatype CDATA #IMPLIED
  usagecount CDATA #IMPLIED lastusagedate CDATA #IMPLIED creationtool CDATA #IMPLIED
  creationtoolversion CDATA #IMPLIED creationdate CDATA #IMPLIED creationid CDATA #IMPLIED
  changedate CDATA #IMPLIED changeid CDATA #IMPLIED o-tmf CDATA #IMPLIED>
<!ELEMENT seg (#PCDATA)>
"""


def check_tmx(data: bytes) -> None:
    dtd = etree.DTD(io.StringIO(TMX14_DTD))
    assert dtd.validate(etree.fromstring(data)), dtd.error_log.filter_from_errors()


def check_html(data: bytes) -> None:
    """An HTML5 parser in strict mode: any parse error (bad nesting, stray characters...) fails."""
    html5lib.HTMLParser(strict=True).parse(data)


def chromium(*args: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("chromium")
    assert binary, "chromium is needed (setup.sh installs it)"
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


def png_size_and_colours(path: Path) -> tuple[int, int, int]:
    """Width, height and number of distinct byte values of the pixels: a blank page has very few."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    chunks, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        if data[pos + 4 : pos + 8] == b"IDAT":
            chunks.append(data[pos + 8 : pos + 8 + length])
        pos += 12 + length
    return width, height, len(set(zlib.decompress(b"".join(chunks))))


def test_write_outputs_writes_the_edition_and_every_export(hand_edition: Edition, tmp_path: Path) -> None:
    paths = write_outputs(hand_edition, tmp_path / "output" / "mastering-bolshevism")
    assert [p.name for p in paths] == [
        "mastering-bolshevism.tei.xml",
        "mastering-bolshevism.tsv",
        "mastering-bolshevism.tmx",
        "mastering-bolshevism.html",
        "mastering-bolshevism.en-1937.align",
    ]
    links = [(b.pivot, b.witness, b.confidence) for b in hand_edition.alignments[0].beads]
    assert [(b.pivot, b.witness, b.confidence) for b in read_alignment(paths[4])] == links
    validate(paths[0])
    check_tmx(paths[2].read_bytes())
    check_html(paths[3].read_bytes())
    assert read_edition(paths[0]) == hand_edition
    again = write_outputs(hand_edition, tmp_path / "again" / "mastering-bolshevism")
    assert [p.read_bytes() for p in paths] == [p.read_bytes() for p in again]  # deterministic


def test_tsv_has_one_row_per_bead(hand_edition: Edition) -> None:
    rows = [line.split("\t") for line in tsv(hand_edition).decode("utf-8").splitlines()]
    assert tuple(rows[0]) == TSV_COLUMNS
    beads = hand_edition.alignments[0].beads
    assert len(rows) == len(beads) + 1 and all(len(row) == len(TSV_COLUMNS) for row in rows)
    row = dict(zip(TSV_COLUMNS, rows[4], strict=True))  # the reviewed bead
    assert row["link"] == "en-1937.p4.w4" and row["type"] == "1-1" and row["confidence"] == "1.0"
    assert row["pivot_ids"] == "ru-1937.s4" and row["pivot_text"].startswith("Во-первых, вредительская")
    assert row["witness_text"].startswith("First, the wrecking")
    assert (row["resp"], row["note"]) == ("Anna Reviewer", "checked against Pravda")
    last_one_sided = dict(zip(TSV_COLUMNS, rows[-2], strict=True))
    assert (
        last_one_sided["type"] == "0-1" and last_one_sided["pivot_ids"] == last_one_sided["pivot_text"] == ""
    )


def test_tmx_is_read_by_a_translation_memory_library(hand_edition: Edition, tmp_path: Path) -> None:
    path = tmp_path / "mb.tmx"
    path.write_bytes(tmx(hand_edition))
    root = etree.parse(str(path)).getroot()
    header = root.find("header")
    assert root.get("version") == "1.4"
    for required in (
        "creationtool",
        "creationtoolversion",
        "segtype",
        "o-tmf",
        "adminlang",
        "srclang",
        "datatype",
    ):
        assert header.get(required), required
    beads = [b for b in hand_edition.alignments[0].beads if b.pivot and b.witness]
    memory = tmxfile(path.open("rb"))
    assert len(memory.units) == len(beads)
    first = memory.units[0]
    pivot, english = hand_edition.pivot.segments, hand_edition.witnesses[0].segments
    assert first.source == pivot[0].text and first.target == english[0].text
    assert memory.translate(pivot[3].text) == english[3].text
    tu = root.find("body/tu[@tuid='en-1937.p4.w4']")
    assert tu.findtext("prop[@type='x-confidence']") == "1.0"
    assert tu.findtext("prop[@type='x-reviewed-by']") == "Anna Reviewer"
    assert tu.findtext("note") == "checked against Pravda"
    assert [tuv.get("{http://www.w3.org/XML/1998/namespace}lang") for tuv in tu.findall("tuv")] == [
        "ru",
        "en",
    ]


def test_hostile_text_in_every_export(hostile_edition: Edition, tmp_path: Path) -> None:
    edition = hostile_edition
    paths = write_outputs(edition, tmp_path / "hostile")
    validate(paths[0])
    check_tmx(paths[2].read_bytes())
    check_html(paths[3].read_bytes())
    for path in paths:
        data = path.read_bytes()
        assert not any(bytes([c]) in data for c in (0, 0x0C, 0x1B, 0x01)), path.name
    rows = paths[1].read_text(encoding="utf-8").split("\n")
    assert len(rows) == 1 + 4 + 2 + 1  # header, beads, final newline: no row broken by \r, \n or \t
    memory = tmxfile(paths[2].open("rb"))
    assert [u.source for u in memory.units][:1] == [edition.pivot.segments[0].text]
    page = lxml_html.fromstring(paths[3].read_bytes())
    assert not page.xpath("//script") and not page.xpath("//b")  # markup in the texts stays text
    cells = {cell.get("lang"): cell for cell in page.xpath("//tbody/tr/td[@lang]")}
    assert (
        cells["ar"].get("dir") == "rtl"
        and cells["he"].get("dir") == "rtl"
        and cells["ru"].get("dir") == "ltr"
    )
    text = page.text_content()
    assert HOSTILE[5] in text and 'Rachel <R&D> "Cohen"' in text and HOSTILE[1] in text


def test_html_page_is_self_contained_and_puts_doubtful_beads_first(hand_edition: Edition) -> None:
    data = html_page(hand_edition).decode("utf-8")
    assert "<script" not in data and "src=" not in data and "<link" not in data and "http" not in data
    page = lxml_html.fromstring(data)
    threshold = hand_edition.review_threshold
    listed = [
        float(b.text_content()) for b in page.xpath("//section[@id='review']//span[contains(@class,'badge')]")
    ]
    assert listed == sorted(listed) and all(c < threshold for c in listed)
    doubtful = [b for b in hand_edition.alignments[0].beads if b.resp is None and b.confidence < threshold]
    assert len(listed) == len(doubtful)
    rows = page.xpath("//table[@class='parallel']/tbody/tr")
    assert len(rows) == len(hand_edition.alignments[0].beads)  # one witness: a row per bead
    assert [len(row.xpath("td")) for row in rows[:1]] == [2]
    reviewed = page.get_element_by_id("en-1937.p4.w4")
    assert "reviewed" in reviewed.get("class") and "Anna Reviewer" in reviewed.text_content()
    assert "checked against Pravda" in reviewed.text_content()
    assert page.xpath("//p[@class='legend']")


def test_html_colours_both_cells_marks_sentence_boundaries_and_explains_shapes(hand_edition: Edition) -> None:
    beads = review.merge(hand_edition.alignments[0].beads, 5, "next", "Boris")  # a 2-2 link
    hand_edition = replace(hand_edition, alignments=[replace(hand_edition.alignments[0], beads=beads)])
    page = lxml_html.fromstring(html_page(hand_edition))
    threshold = hand_edition.review_threshold
    rows = page.xpath("//table[@class='parallel']/tbody/tr")
    for row, bead in zip(rows, beads, strict=True):  # one witness: a row per link, both cells alike
        pivot_box, witness_box = (td.xpath("div[contains(@class,'bead')]")[0] for td in row.xpath("td"))
        assert pivot_box.get("class") == witness_box.get("class")
        assert ("low" in pivot_box.get("class")) == (bead.resp is None and bead.confidence < threshold)
    # every sentence of a many-sentence link is its own span, with its id to show on demand
    many = next(k for k, bead in enumerate(beads) if len(bead.pivot) >= 2)
    spans = rows[many].xpath("td[1]//span[@class='s']")
    ids = hand_edition.pivot.segment_ids()
    assert [span.get("data-id") for span in spans] == [ids[i] for i in beads[many].pivot]
    assert page.xpath("//input[@id='show-ids']") and "#show-ids:checked" in html_page(hand_edition).decode()
    shapes = page.xpath("//dl[@class='shapes']")[0].text_content()
    assert "1-2" in shapes and "M pivot sentences with N witness sentences" in shapes


def test_html_review_list_ties_are_in_reading_order(hand_edition: Edition) -> None:
    beads = [replace(b, confidence=0.1, resp=None) for b in hand_edition.alignments[0].beads[:130]]
    tied = replace(hand_edition, alignments=[replace(hand_edition.alignments[0], beads=beads)])
    page = lxml_html.fromstring(html_page(tied))
    listed = [a.text for a in page.xpath("//section[@id='review']//tr/td[1]/a")]
    expected = [link_id("en-1937", b) for b in beads]
    assert listed == expected  # p1, p2, ... p10, not p1, p10, p100 (text order)


def test_several_witnesses_share_rows_where_their_beads_meet(hand_edition: Edition) -> None:
    """One column per witness: rows are cut where every witness has a bead boundary on the pivot."""
    english = hand_edition.witnesses[0]
    german = Witness(
        WitnessMeta(id="de-bench", lang="de", files=("dev.de",)),
        [
            Block(
                "paragraph",
                tuple(
                    Segment(t, "dev.de", n, n)
                    for n, t in enumerate(
                        (TEXTBERG / "dev.de").read_text(encoding="utf-8").splitlines()[:5], 1
                    )
                ),
            )
        ],
    )
    pivot = Witness(hand_edition.pivot.meta, [Block("paragraph", hand_edition.pivot.segments[:6])])
    english = Witness(english.meta, [Block("paragraph", english.segments[:5])])
    one = [Bead((0,), (0,), 0.9), Bead((1, 2), (1,), 0.8), Bead((), (2,), 0.2), Bead((3,), (3,), 0.9)]
    one.append(Bead((4, 5), (4,), 0.7))
    two = [Bead((0, 1), (0,), 0.6), Bead((2,), (1,), 0.9), Bead((3,), (), 0.3), Bead((), (2,), 0.1)]
    two += [Bead((4,), (3,), 0.9), Bead((5,), (4,), 0.95, resp="Anna Reviewer")]
    edition = Edition(
        "three witnesses",
        pivot,
        [english, german],
        [PairAlignment(pivot.id, english.id, one), PairAlignment(pivot.id, german.id, two)],
    )
    rows = parallel_rows(edition)
    assert [row.pivot for row in rows] == [(0, 1, 2), (), (3,), (), (4, 5)]
    assert [[[n for n, _ in beads] for beads in row.beads] for row in rows] == [
        [[1, 2], [1, 2]],
        [[3], []],  # the English sentence with no Russian counterpart
        [[4], [3]],
        [[], [4]],  # the German one
        [[5], [5, 6]],
    ]
    page = lxml_html.fromstring(html_page(edition))
    assert [th.text_content() for th in page.xpath("//table[@class='parallel']/thead//th")] == [
        "ru-1937 (ru)",
        "en-1937 (en)",
        "de-bench (de)",
    ]
    assert len(page.xpath("//table[@class='parallel']/tbody/tr")) == 5
    check_html(html_page(edition))
    assert "reviewed" in page.get_element_by_id("de-bench.p6.w5").get("class")


def test_chromium_renders_the_page(hand_edition: Edition, tmp_path: Path) -> None:
    """The page as a reader sees it: a screenshot with real content, and a DOM with the bead rows."""
    small = replace(hand_edition, alignments=[replace(hand_edition.alignments[0], beads=[])])
    small.alignments[0].beads = hand_edition.alignments[0].beads[:60]
    (page := tmp_path / "page.html").write_bytes(html_page(small))
    shot = tmp_path / "page.png"
    done = chromium(f"--screenshot={shot}", "--window-size=1400,1000", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    width, height, colours = png_size_and_colours(shot)
    assert (width, height) == (1400, 1000) and colours > 50
    dom = chromium("--dump-dom", page.as_uri()).stdout
    rendered = lxml_html.fromstring(dom)
    assert len(rendered.xpath("//table[@class='parallel']/tbody/tr")) == 60
    assert rendered.xpath("//h1")[0].text_content() == hand_edition.title


def test_export_rederives_the_files_from_a_reviewed_edition(
    hand_edition: Edition, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = write_outputs(hand_edition, tmp_path / "mb")
    edition = read_edition(paths[0])
    beads = edition.alignments[0].beads
    beads[1] = Bead(beads[1].pivot, beads[1].witness, 1.0, resp="Boris", note="title line")
    write_edition(edition, paths[0])
    before = paths[0].read_bytes()
    assert main(["export", str(paths[0])]) == 0
    assert capsys.readouterr().out.split() == [str(p) for p in paths[1:]]
    assert paths[0].read_bytes() == before
    row = paths[1].read_text(encoding="utf-8").splitlines()[2].split("\t")
    assert row[2] == "en-1937.p2.w2" and row[-2:] == ["Boris", "title line"]
    assert "✔ Boris" in paths[3].read_text(encoding="utf-8")
    assert read_alignment(paths[4])[1] == Bead(beads[1].pivot, beads[1].witness, 1.0)  # no lagging .align
    assert main(["export", str(paths[0]), "--out", str(tmp_path / "elsewhere" / "copy")]) == 0
    copied = sorted(p.name for p in (tmp_path / "elsewhere").iterdir())
    assert copied == ["copy.en-1937.align", "copy.html", "copy.tei.xml", "copy.tmx", "copy.tsv"]
    assert (tmp_path / "elsewhere" / "copy.tei.xml").read_bytes() == before


def test_the_bundled_edition_exports(bundled_edition: Path) -> None:
    """``aligner align`` wrote the TSV, TMX and HTML beside the TEI, and they agree with it."""
    edition = read_edition(bundled_edition)
    prefix = bundled_edition.with_name("mb")
    beads = edition.alignments[0].beads
    assert prefix.with_suffix(".tsv").read_bytes() == tsv(edition)
    assert prefix.with_suffix(".tmx").read_bytes() == tmx(edition)
    assert prefix.with_suffix(".html").read_bytes() == html_page(edition)
    check_tmx(prefix.with_suffix(".tmx").read_bytes())
    check_html(prefix.with_suffix(".html").read_bytes())
    memory = tmxfile(prefix.with_suffix(".tmx").open("rb"))
    assert len(memory.units) == sum(1 for b in beads if b.pivot and b.witness)


def test_chinese_sentences_of_one_link_are_exported_without_an_inserted_space(tmp_path: Path) -> None:
    # A 2-1 link of Chinese sentences: the TSV and the translation memory once read "你来了。” 她说。".
    chinese = Witness(
        WitnessMeta("zh", "zh", role="original"),
        (
            Block(
                "paragraph", tuple(Segment(t, "zh.txt", 1, 1) for t in ("“你来了。”", "她说。", "他笑了。"))
            ),
        ),
    )
    english = Witness(
        WitnessMeta("en", "en"),
        (
            Block(
                "paragraph",
                tuple(Segment(t, "en.txt", 1, 1) for t in ('"You came," she said.', "He", "smiled.")),
            ),
        ),
    )
    edition = Edition(
        "三体",
        chinese,
        [english],
        [PairAlignment("zh", "en", [Bead((0, 1), (0,), 0.9), Bead((2,), (1, 2), 0.4)])],
    )
    rows = [line.split("\t") for line in tsv(edition).decode().splitlines()[1:]]
    assert [(row[7], row[8]) for row in rows] == [
        ("“你来了。”她说。", '"You came," she said.'),
        ("他笑了。", "He smiled."),
    ]
    units = tmxfile(io.BytesIO(tmx(edition))).units
    assert [(unit.source, unit.target) for unit in units] == [(row[7], row[8]) for row in rows]
    page = html_page(edition, threshold=0.7).decode()
    assert ">他笑了。</td>" in page and ">He smiled.</td>" in page  # the review list's snippets
    write_outputs(edition, tmp_path / "santi")
    validate(tmp_path / "santi.tei.xml")
