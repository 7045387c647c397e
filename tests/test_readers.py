"""Witnesses in the formats scholars have: TEI, EPUB, DOCX, HTML, PDF and books in many files.

The files are made at test time from the bundled English text by real tools: pandoc (HTML, DOCX,
EPUB from Markdown), fpdf2 (a PDF with running heads and page numbers), the tool's own edition
writer (TEI) and lxml (a TEI with its own ``<s xml:id>`` and words broken by ``<lb break="no"/>``).
The excerpt is the report's opening and first section, and its fifth section with numbered points;
one alignment with the matching Russian excerpt covers every format.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree
from paths import TRANSLATIONS

from aligner.cli import main
from aligner.edition import TEI, XML_ID, Edition, read_edition, validate, write_edition
from aligner.ingest import load_witness
from aligner.manifest import NO_MANIFEST, resolve
from aligner.pipeline import align_edition
from aligner.witness import Witness, WitnessMeta

EN_LINES = [(1, 186), (657, 733)]  # the opening and section 1; section 5 to its fifth point
RU_LINES = [(1, 61), (152, 178)]
FORMATS = ("html", "docx", "epub", "pdf")


def _excerpt(path: Path, spans: list[tuple[int, int]]) -> str:
    lines = path.read_text(encoding="utf-8").split("\n")
    return "\n\n".join("\n".join(lines[a - 1 : b]) for a, b in spans) + "\n"


def _markdown(witness: Witness) -> str:
    """The witness as CommonMark, every ASCII punctuation escaped so pandoc keeps the text as it is, and a
    footnote on the first paragraph, which no reader may take for text."""

    def escaped(text: str) -> str:
        return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", text)

    parts = []
    for block in witness.blocks:
        text = escaped(" ".join(s.text for s in block.segments))
        if block.kind == "title":
            parts.append(f"# {text}")
        elif block.kind == "heading":
            parts.append(f"## {block.label}: {text}" if block.label else f"## {text}")
        elif block.kind == "point":
            parts.append(f"{block.label} {text}")
        else:
            parts.append(text + ("[^ed]" if "[^ed]" not in "".join(parts) else ""))
    return "\n\n".join([*parts, "[^ed]: An editor's footnote, not part of the text."]) + "\n"


def _pdf(witness: Witness, path: Path) -> None:
    """A small book: running head with the page number, centred page numbers, headings in bold."""
    from fpdf import FPDF

    fonts = Path("/usr/share/fonts/truetype/dejavu")

    class Book(FPDF):
        def header(self) -> None:
            if self.page_no() > 1:
                self.set_font("dejavu", size=9)
                self.cell(0, 8, "MASTERING BOLSHEVISM", align="L")
                self.cell(0, 8, str(self.page_no()), align="R", new_x="LMARGIN", new_y="NEXT")
                self.ln(4)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("dejavu", size=9)
            self.cell(0, 10, str(self.page_no()), align="C")

    pdf = Book(format=(148, 210))
    pdf.add_font("dejavu", fname=str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("dejavu", style="B", fname=str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    blocks = list(witness.blocks)
    for number, block in enumerate(blocks):
        text = " ".join(s.text for s in block.segments)
        if block.kind == "title":  # a title page's lines, small enough not to wrap, no gap between them
            pdf.set_font("dejavu", size=6)
            pdf.multi_cell(0, 2.5, text, new_x="LMARGIN", new_y="NEXT")
            if number + 1 < len(blocks) and blocks[number + 1].kind != "title":
                pdf.ln(4)
            continue
        if block.kind in ("title", "heading"):
            pdf.set_font("dejavu", style="B", size=11)
            text = f"{block.label}: {text}" if block.label else text
        else:
            pdf.set_font("dejavu", size=10)
            text = f"{block.label} {text}" if block.label else text
        pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    pdf.output(str(path))


def _own_ids_tei(witness: Witness, path: Path) -> None:
    """A TEI edition of the text made elsewhere: its own sentence ids, notes, running heads and page
    breaks, and the longest word of every third sentence broken across a line (``lb break="no"``)."""
    ns = f"{{{TEI}}}"
    root = etree.fromstring(
        f'<TEI xmlns="{TEI}"><teiHeader><fileDesc><titleStmt><title>Mastering Bolshevism</title>'
        "<author>J. V. Stalin</author><respStmt><resp>translated by</resp><name>Unknown translator</name>"
        "</respStmt></titleStmt><publicationStmt><publisher>Workers Library Publishers</publisher>"
        "<date>1937</date></publicationStmt><sourceDesc><p>The 1937 pamphlet.</p></sourceDesc></fileDesc>"
        "</teiHeader><text><body/></text></TEI>"
    )
    body = root.find(f".//{ns}body")
    div = etree.SubElement(body, f"{ns}div")
    points = None
    n = 0
    for number, block in enumerate(witness.blocks):
        if block.kind == "heading":
            div = etree.SubElement(body, f"{ns}div")
        if block.kind == "point":
            if points is None:
                points = etree.SubElement(div, f"{ns}list", type="ordered")
            node = etree.SubElement(points, f"{ns}item", n=block.label)  # a list resumed after text
        else:
            points = None
            tag = "head" if block.kind in ("title", "heading") else "p"
            node = etree.SubElement(div, f"{ns}{tag}", **({"type": "title"} if block.kind == "title" else {}))
            if block.label:
                node.set("n", block.label)
        for segment in block.segments:
            n += 1
            s = etree.SubElement(node, f"{ns}s", {XML_ID: f"mb-{n}"})
            words = segment.text.split(" ")
            longest = max(range(len(words)), key=lambda i: len(words[i]))
            if n % 3 == 0 and len(words[longest]) >= 6 and words[longest].isalpha():
                cut = len(words[longest]) // 2
                s.text = " ".join([*words[:longest], words[longest][:cut]])
                lb = etree.SubElement(s, f"{ns}lb", {"break": "no"})
                lb.tail = "\n" + " ".join([words[longest][cut:], *words[longest + 1 :]])
            else:
                s.text = segment.text
            if n % 7 == 0:
                etree.SubElement(s, f"{ns}note").text = "An editor's note, not the text."
        if number % 5 == 4:
            etree.SubElement(div, f"{ns}pb", n=str(number))
            etree.SubElement(div, f"{ns}fw", type="header").text = "MASTERING BOLSHEVISM"
    etree.indent(root)
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


@pytest.fixture(scope="session")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The excerpts, and the English one in every format, made by real tools."""
    folder = tmp_path_factory.mktemp("formats")
    (folder / "ru.txt").write_text(_excerpt(TRANSLATIONS / "ru-1937-pravda-report.txt", RU_LINES), "utf-8")
    english = _excerpt(TRANSLATIONS / "en-1937-mastering-bolshevism.txt", EN_LINES)
    (folder / "en.txt").write_text(english, encoding="utf-8")
    plain = load_witness(WitnessMeta("en", "en"), [folder / "en.txt"])
    (folder / "en.md").write_text(_markdown(plain), encoding="utf-8")
    for fmt in ("html", "docx", "epub"):
        # an EPUB needs a title (pandoc makes a title page of it); HTML and DOCX get none to repeat
        about = ["title=Mastering Bolshevism", "date=1937"] if fmt == "epub" else ["pagetitle=Report"]
        command = ["pandoc", "-f", "commonmark+footnotes", "-s", *(f"--metadata={m}" for m in about)]
        subprocess.run([*command, "-o", str(folder / f"en.{fmt}"), str(folder / "en.md")], check=True)
    _pdf(plain, folder / "en.pdf")
    _own_ids_tei(plain, folder / "hand.xml")
    printed = Witness(WitnessMeta("printed-en", "en", title="Mastering Bolshevism"), plain.blocks)
    write_edition(Edition("Mastering Bolshevism", printed, [], []), folder / "printed.xml")
    # the same text as a book in three chapter files: the opening, section 1, section 5
    book = folder / "book"
    book.mkdir()
    chapters = re.split(r"\n(?= ?\d: )", english)
    assert len(chapters) == 3
    for number, chapter in enumerate(chapters, 1):
        (book / f"chapter{number}.txt").write_text(chapter.strip("\n") + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def aligned(made: Path) -> Path:
    """One alignment of the Russian excerpt with the English in every form: the edition's path."""
    witnesses = [f"{made / 'ru.txt'}:ru", f"{made / 'en.txt'}:en"]
    witnesses += [f"{made / f'en.{fmt}'}:en" for fmt in FORMATS]
    witnesses += [f"{made / 'hand.xml'}:en", f"{made / 'printed.xml'}:en", f"{made / 'book'}:en"]
    align_edition(witnesses, made / "out" / "all")
    return made / "out" / "all.tei.xml"


def _shape(witness: Witness) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(b.kind, b.label, tuple(s.text for s in b.segments)) for b in witness.blocks]


def test_every_format_reads_as_the_plain_text_does_and_aligns_the_same(aligned: Path):
    validate(aligned)
    edition = read_edition(aligned)
    texts = {w.id: w for w in edition.witnesses}
    beads = {a.witness_id: [(b.pivot, b.witness) for b in a.beads] for a in edition.alignments}
    plain = texts["en.txt"]
    assert len(plain.segments) == 65 and {b.kind for b in plain.blocks} >= {"title", "heading", "point"}
    for witness_id in ("en.html", "en.docx", "en.epub", "en.pdf", "hand", "printed", "book"):
        assert _shape(texts[witness_id]) == _shape(plain), witness_id
        assert beads[witness_id] == beads["en.txt"], witness_id
    # provenance: the file (inside an EPUB, the document in the book) and its lines or paragraphs
    assert {s.file for s in texts["en.docx"].segments} == {"en.docx"}
    assert all(s.file.startswith("en.epub/") and s.file.endswith(".xhtml") for s in texts["en.epub"].segments)
    docx_lines = [s.line_start for s in texts["en.docx"].segments]
    assert docx_lines == sorted(docx_lines) and docx_lines[-1] <= len(plain.blocks)
    book_files = [s.file for s in texts["book"].segments]
    assert sorted(set(book_files)) == ["chapter1.txt", "chapter2.txt", "chapter3.txt"]
    # an EPUB's and a TEI's own description fills in what the command line did not give
    meta = {w.id: w.meta for w in edition.witnesses}
    assert (meta["en.epub"].title, meta["en.epub"].date) == ("Mastering Bolshevism", "1937")
    assert (meta["hand"].author, meta["hand"].translator) == ("J. V. Stalin", "Unknown translator")
    assert meta["hand"].publisher == "Workers Library Publishers"


def test_a_tei_witness_keeps_its_sentence_ids_and_the_links_point_to_them(aligned: Path):
    root = etree.parse(str(aligned)).getroot()
    ns = {"t": TEI}
    hand_ids = root.xpath("//t:text[@xml:id='hand']//t:s/@xml:id", namespaces=ns)
    assert hand_ids == [f"mb-{n}" for n in range(1, 66)]
    printed_ids = root.xpath("//t:text[@xml:id='printed']//t:s/@xml:id", namespaces=ns)
    assert printed_ids == [f"printed-en.s{n}" for n in range(1, 66)]  # an edition's ids, cited elsewhere
    targets = " ".join(root.xpath("//t:linkGrp[contains(@domains, '#hand')]/t:link/@target", namespaces=ns))
    assert "#mb-1 " in targets + " " and "#mb-65" in targets
    # read back, the witness has the same ids (a review keeps them)
    hand = next(w for w in read_edition(aligned).witnesses if w.id == "hand")
    assert hand.segment_ids() == tuple(hand_ids)


def test_a_book_in_three_files_is_one_witness_with_three_divisions(aligned: Path, made: Path):
    root = etree.parse(str(aligned)).getroot()
    book = root.xpath("//t:text[@xml:id='book']/t:body", namespaces={"t": TEI})[0]
    divisions = book.xpath(".//t:div", namespaces={"t": TEI})
    assert len(divisions) == 3
    first_sentences = [d.xpath("string(.//t:s[1]/@source)", namespaces={"t": TEI}) for d in divisions]
    assert [s.split("#")[0] for s in first_sentences] == ["chapter1.txt", "chapter2.txt", "chapter3.txt"]
    # a glob names the same book, in name order
    meta, paths = resolve(f"{made / 'book'}/chapter*.txt:en", NO_MANIFEST)
    assert (meta.id, [p.name for p in paths]) == ("book", ["chapter1.txt", "chapter2.txt", "chapter3.txt"])


def test_a_pdf_sentence_knows_its_page(made: Path):
    witness = load_witness(WitnessMeta("pdf", "en"), [made / "en.pdf"])
    pages = [s.page for s in witness.segments]
    assert pages[0] == 1 and pages == sorted(pages) and pages[-1] >= 5
    assert not any("MASTERING BOLSHEVISM" in s.text for s in witness.segments)  # the running head is gone


def test_tei_line_breaks_notes_and_header(tmp_path: Path):
    tei = tmp_path / "poem.tei"
    tei.write_text(
        f"""<TEI xmlns="{TEI}"><teiHeader><fileDesc><titleStmt><title>Verses</title></titleStmt>
<publicationStmt><p/></publicationStmt><sourceDesc><bibl><author>A. Poet</author><date>1921</date>
</bibl></sourceDesc></fileDesc></teiHeader><text><body><div><head>On Reading</head>
<fw type="pageNum">12</fw><p>Every schol<lb break="no"/>
ar reads<note place="foot">A note.</note> slowly.<pb n="13"/> Nobody reads fast.</p>
<lg><l>The first line</l><l>and the second.</l></lg>
<p><seg xml:id="v1">A <seg type="phrase">cited</seg> sentence.</seg> <seg xml:id="v2">Another one.</seg></p>
</div></body></text></TEI>""",
        encoding="utf-8",
    )
    witness = load_witness(WitnessMeta("poem", "en", title="poem"), [tei])
    assert [s.text for s in witness.segments] == [
        "On Reading",
        "Every scholar reads slowly.",
        "Nobody reads fast.",
        "The first line and the second.",
        "A cited sentence.",
        "Another one.",
    ]
    assert witness.segment_ids()[-3:] == ("poem.s4", "v1", "v2")  # a <seg> with an id is a sentence
    assert [(s.line_start, s.line_end) for s in witness.segments][1] == (4, 5)  # lines of the markup
    assert (witness.meta.title, witness.meta.author, witness.meta.date) == ("Verses", "A. Poet", "1921")


def test_chinese_markup_broken_across_lines_reads_without_inserted_spaces(tmp_path: Path):
    # The markup's line breaks, <br> and <lb/> inside Chinese once became spaces ("他走进房间， 看见她");
    # a space typed in the text stays, and so does an ideographic one.
    html = tmp_path / "三体.html"
    html.write_text(
        '<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>三体</title></head><body>\n'
        "<h1>第一章\u3000相遇</h1>\n<p>他走进房间，\n看见她坐在窗边。“你来了。”她说。</p>\n"
        "<p>她笑了笑，<br>没有说话。他用 Google 搜索。</p>\n</body></html>\n",
        encoding="utf-8",
    )
    tei = tmp_path / "三体.tei"
    tei.write_text(
        f"""<TEI xmlns="{TEI}"><teiHeader><fileDesc><titleStmt><title>三体</title></titleStmt>
<publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc></fileDesc></teiHeader><text><body>
<head>第一章\u3000相遇</head>
<p>他走进房间，
看见她坐在窗边。<lb/>“你来了。”她说。</p>
<p><s xml:id="s9">她笑了笑，
  没有说话。</s><s xml:id="s10">他用 Google 搜索。</s></p>
</body></text></TEI>""",
        encoding="utf-8",
    )
    for path in (html, tei):
        witness = load_witness(WitnessMeta("zh", "zh", title="三体"), [path])
        assert [s.text for s in witness.segments] == [
            "第一章\u3000相遇",
            "他走进房间，看见她坐在窗边。",
            "“你来了。”",
            "她说。",
            "她笑了笑，没有说话。",
            "他用 Google 搜索。",
        ]


def test_the_content_decides_the_format_not_the_name(made: Path, tmp_path: Path):
    disguised = tmp_path / "translation.txt"
    shutil.copy(made / "en.docx", disguised)
    witness = load_witness(WitnessMeta("d", "en"), [disguised])
    assert len(witness.segments) == 65


def _bad_files(made: Path, folder: Path) -> list[tuple[Path, str]]:
    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter

    folder.mkdir()
    cases = []
    for fmt in ("epub", "docx"):
        data = (made / f"en.{fmt}").read_bytes()
        (folder / f"broken.{fmt}").write_bytes(data[: len(data) // 2])
        cases.append((folder / f"broken.{fmt}", f"is not a readable {fmt.upper()} file"))
    writer = PdfWriter(clone_from=PdfReader(made / "en.pdf"))
    writer.encrypt(user_password="secret", owner_password="owner")
    writer.write(folder / "locked.pdf")
    cases.append((folder / "locked.pdf", "is an encrypted PDF: decrypt it first"))
    scan = FPDF()
    scan.add_page()
    scan.rect(20, 20, 100, 150, style="F")  # a page with no text layer, as a scan without OCR
    scan.output(str(folder / "scan.pdf"))
    cases.append((folder / "scan.pdf", "has no text layer (a scanned PDF?): run OCR on it first, e.g. ocrmy"))
    hand = (made / "hand.xml").read_bytes()
    (folder / "cut.xml").write_bytes(hand[: len(hand) // 2])
    cases.append((folder / "cut.xml", "is not well-formed XML"))
    (folder / "other.xml").write_text('<?xml version="1.0"?><book><p>Text.</p></book>', encoding="utf-8")
    cases.append((folder / "other.xml", "is XML but not TEI (root element <book>"))
    (folder / "empty.html").write_text(
        "<!DOCTYPE html><html><head><title>Archive</title><script>var x = 1;</script></head>"
        "<body><nav><a href='/'>Home</a></nav><footer>Archive, 2024</footer></body></html>",
        encoding="utf-8",
    )
    cases.append((folder / "empty.html", "no text found in"))
    return cases


def test_bad_files_are_one_line_and_exit_1_with_nothing_written(made: Path, tmp_path: Path, capsys):
    for path, message in _bad_files(made, tmp_path / "bad"):
        out = tmp_path / "out" / path.name
        assert main(["align", f"{made / 'ru.txt'}:ru", f"{path}:en", "--out", str(out)]) == 1, path
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err
    assert not (tmp_path / "out").exists()
