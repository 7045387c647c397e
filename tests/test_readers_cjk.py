"""Chinese and Japanese witnesses in the structured formats scholars have (issue 16).

The files are made at test time, by hand (HTML, an EPUB zipped from its parts, TEI) or by the libraries
the project and its tests already use (python-docx, fpdf2 with the WenQuanYi font), from the whole
Chinese text of the benchmark (``benchmarks/data/ru-zh-whole/zh.txt``) and the Japanese one
(``ru-ja-dev/ja.txt``): each must read as its plain text does, sentence for sentence, headings as
headings. Then the cases the whole texts lack: ruby readings, a heading atop a PDF page.
"""

from __future__ import annotations

import html
import zipfile
from pathlib import Path

import pytest
from paths import ROOT

from aligner.cli import main
from aligner.ingest import load_witness
from aligner.witness import Witness, WitnessMeta

ZH = ROOT / "benchmarks" / "data" / "ru-zh-whole" / "zh.txt"
JA = ROOT / "benchmarks" / "data" / "ru-ja-dev" / "ja.txt"
TEI = "http://www.tei-c.org/ns/1.0"
WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
VERTICAL = "body { writing-mode: vertical-rl; -epub-writing-mode: vertical-rl; }"


def _shape(witness: Witness) -> list[tuple[str, str, str]]:
    return [(block.kind, block.label, s.text) for block in witness.blocks for s in block.segments]


def _lines_and_kinds(path: Path, lang: str) -> tuple[list[str], list[str], Witness]:
    """The text's lines (one block a line in these files) and what the plain-text path made of each."""
    lines = [line.strip() for line in path.read_text("utf-8").splitlines() if line.strip()]
    witness = load_witness(WitnessMeta(lang, lang), [path])
    kinds = [block.kind for block in witness.blocks]
    assert len(kinds) == len(lines)
    return lines, kinds, witness


def _html_body(lines: list[str], kinds: list[str]) -> str:
    """Headings as ``h1``/``h2``; paragraphs indented with ideographic spaces, the markup wrapped inside
    them, a ``<br/>`` after a comma, a ``<span>`` cutting a word."""
    parts = []
    for number, (line, kind) in enumerate(zip(lines, kinds, strict=True)):
        text = html.escape(line)
        if kind in ("title", "heading"):
            tag = "h1" if kind == "title" else "h2"
            parts.append(f"<{tag}>{text}</{tag}>")
            continue
        text = "\n".join(text[i : i + 40] for i in range(0, len(text), 40))
        if number % 5 == 0:
            text = f"{text[:2]}<span class='em'>{text[2:4]}</span>{text[4:]}"
        if number % 3 == 0 and "，" in text:
            text = text.replace("，", "，<br/>\n", 1)
        parts.append(f"<p>\u3000\u3000{text}</p>")
    return "\n".join(parts)


def _html(lang: str, body: str, charset: str = "utf-8") -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="{charset}"><title>t</title>'
        f"<style>{VERTICAL}</style></head><body>\n{body}\n</body></html>\n"
    )


def _epub(path: Path, lang: str, chapters: list[str]) -> None:
    """An EPUB 3 zipped from its parts: right-to-left spine, vertical CSS, ``dc:language``."""
    items = "".join(
        f'<item id="c{n}" href="c{n}.xhtml" media-type="application/xhtml+xml"/>'
        for n in range(len(chapters))
    )
    spine = "".join(f'<itemref idref="c{n}"/>' for n in range(len(chapters)))
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("mimetype", "application/epub+zip")
        book.writestr(
            "META-INF/container.xml",
            '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:'
            'container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/'
            'oebps-package+xml"/></rootfiles></container>',
        )
        book.writestr(
            "OEBPS/content.opf",
            '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" '
            'unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<dc:identifier id="id">x</dc:identifier><dc:title>書</dc:title><dc:language>{lang}'
            '</dc:language></metadata><manifest><item id="css" href="v.css" media-type="text/css"/>'
            f'{items}</manifest><spine page-progression-direction="rtl">{spine}</spine></package>',
        )
        book.writestr("OEBPS/v.css", VERTICAL)
        for n, chapter in enumerate(chapters):
            book.writestr(
                f"OEBPS/c{n}.xhtml",
                '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n<html xmlns="http://www.w3.org/'
                f'1999/xhtml" lang="{lang}" xml:lang="{lang}"><head><title>t</title><link rel="stylesheet" '
                f'href="v.css"/></head><body>\n{chapter}\n</body></html>\n',
            )


def _docx(path: Path, lines: list[str], kinds: list[str]) -> None:
    """Title and Heading 2 styles; soft line breaks inside paragraphs, ideographic-space indents."""
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    for number, (line, kind) in enumerate(zip(lines, kinds, strict=True)):
        if kind in ("title", "heading"):
            document.add_paragraph(line, style="Title" if kind == "title" else "Heading 2")
            continue
        paragraph = document.add_paragraph()
        if number % 3 == 0 and "，" in line:
            before, after = line.split("，", 1)
            paragraph.add_run(before + "，").add_break(WD_BREAK.LINE)
            paragraph.add_run(after)
        else:
            paragraph.add_run("\u3000\u3000" + line)
    document.save(str(path))


def _tei(path: Path, lang: str, lines: list[str], kinds: list[str]) -> None:
    """``xml:lang``, an ``<lb/>`` every 25 characters, a ``choice`` of ``orig`` and ``reg``."""
    parts = []
    for line, kind in zip(lines, kinds, strict=True):
        if kind in ("title", "heading"):
            kind_attribute = ' type="title"' if kind == "title" else ""
            parts.append(f"<head{kind_attribute}>{html.escape(line)}</head>")
            continue
        text = "<lb/>\n".join(html.escape(line[i : i + 25]) for i in range(0, len(line), 25))
        text = text.replace("的", "<choice><orig>底</orig><reg>的</reg></choice>", 1)
        parts.append(f"<p>{text}</p>")
    body = "\n".join(parts)
    path.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<TEI xmlns="{TEI}" xml:lang="{lang}"><teiHeader><fileDesc>'
        "<titleStmt><title>t</title></titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><p/>"
        f"</sourceDesc></fileDesc></teiHeader><text><body>\n{body}\n</body></text></TEI>\n",
        encoding="utf-8",
    )


@pytest.mark.parametrize(("source", "lang", "charset"), [(ZH, "zh", "gbk"), (JA, "ja", "shift_jis")])
def test_a_whole_chinese_or_japanese_text_reads_in_every_format_as_its_plain_text(
    tmp_path: Path, source: Path, lang: str, charset: str
):
    lines, kinds, plain = _lines_and_kinds(source, lang)
    body = _html_body(lines, kinds)
    (tmp_path / "page.html").write_text(_html(lang, body), encoding="utf-8")
    (tmp_path / "legacy.html").write_bytes(_html(lang, body, charset).encode(charset))
    cut = max(n for n, kind in enumerate(kinds) if kind == "heading")  # a book in two chapters
    _epub(
        tmp_path / "book.epub",
        lang,
        [_html_body(lines[:cut], kinds[:cut]), _html_body(lines[cut:], kinds[cut:])],
    )
    _docx(tmp_path / "doc.docx", lines, kinds)
    _tei(tmp_path / "doc.xml", lang, lines, kinds)
    expected = _shape(plain)
    assert len(expected) == {"zh": 573, "ja": 193}[lang]  # the gold's sentences (zh.sents, ja.sents)
    for name in ("page.html", "legacy.html", "book.epub", "doc.docx", "doc.xml"):
        witness = load_witness(WitnessMeta(lang, lang), [tmp_path / name])
        assert _shape(witness) == expected, name


def _pdf(path: Path, lines: list[str], kinds: list[str], running_head: str) -> None:
    """A small book set by fpdf2 in WenQuanYi: lines wrapped at any character, headings larger, a running
    head with the page number, page numbers at the foot."""
    from fpdf import FPDF

    class Book(FPDF):
        def header(self) -> None:
            if self.page_no() > 1:
                self.set_font("wqy", size=9)
                self.cell(0, 8, running_head, align="L")
                self.cell(0, 8, str(self.page_no()), align="R", new_x="LMARGIN", new_y="NEXT")
                self.ln(4)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("wqy", size=9)
            self.cell(0, 10, str(self.page_no()), align="C")

    pdf = Book(format=(148, 210))
    pdf.add_font("wqy", fname=str(WQY))
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    for line, kind in zip(lines, kinds, strict=True):
        pdf.set_font("wqy", size=12 if kind in ("title", "heading") else 10)
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    pdf.output(str(path))


@pytest.mark.parametrize(
    ("source", "lang", "head"), [(ZH, "zh", "论党的工作的缺点"), (JA, "ja", "党活動の欠陥")]
)
def test_a_whole_chinese_or_japanese_pdf_reads_as_its_plain_text(
    tmp_path: Path, source: Path, lang: str, head: str
):
    # The Japanese title, set wide, wraps (方策につ / いて) and was two titles; a heading atop a page
    # after a full line (三　現代のトロツキズム) was a paragraph.
    lines, kinds, plain = _lines_and_kinds(source, lang)
    _pdf(tmp_path / "book.pdf", lines, kinds, head)
    witness = load_witness(WitnessMeta(lang, lang), [tmp_path / "book.pdf"])
    assert _shape(witness) == _shape(plain)
    assert witness.segments[-1].page > 10


def test_ruby_readings_stay_out_of_the_sentence(tmp_path: Path):
    # Furigana once ran into the text: 吾輩わがはいは猫である。 (HTML, EPUB) and the same from TEI's <rt>.
    expected = ["吾輩は猫である。", "名前はまだ無い。", "どこで生れたかとんと見当がつかぬ。"]
    forms = [
        "<ruby>吾輩<rt>わがはい</rt></ruby>は猫である。<ruby>名前<rt>なまえ</rt></ruby>はまだ無い。",
        "<ruby>吾輩<rp>（</rp><rt>わがはい</rt><rp>）</rp></ruby>は猫である。"
        "<ruby><rb>名</rb><rt>な</rt><rb>前</rb><rt>まえ</rt></ruby>はまだ無い。",
        "<ruby><rb>吾輩</rb><rtc><rt>わがはい</rt></rtc></ruby>は猫である。名前はまだ無い。",
    ]
    tail = "<p>どこで<ruby>生<rt>うま</rt></ruby>れたかとんと<ruby>見当<rt>けんとう</rt></ruby>がつかぬ。</p>"
    for number, form in enumerate(forms):
        body = f"<h2>一</h2>\n<p>\u3000{form}</p>\n{tail}"
        (tmp_path / f"neko{number}.html").write_text(_html("ja", body), encoding="utf-8")
        _epub(tmp_path / f"neko{number}.epub", "ja", [body])
    (tmp_path / "neko.xml").write_text(
        f'<TEI xmlns="{TEI}" xml:lang="ja"><teiHeader><fileDesc><titleStmt><title>吾輩は猫である</title>'
        "</titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc></fileDesc>"
        "</teiHeader><text><body><head>一</head>\n<p><ruby><rb>吾輩</rb><rt>わがはい</rt></ruby>は猫で<lb/>\n"
        "ある。<ruby><rb>名前</rb><rt>なまえ</rt></ruby>はまだ無い。</p>\n<p>どこで<ruby><rb>生</rb>"
        "<rt>うま</rt></ruby>れたかとんと<ruby><rb>見当</rb><rt>けんとう</rt></ruby>がつかぬ。</p></body></text></TEI>",
        encoding="utf-8",
    )
    for path in sorted(tmp_path.iterdir()):
        witness = load_witness(WitnessMeta("neko", "ja"), [path])
        first = witness.blocks[0]
        assert (first.kind, first.segments[0].text) == ("heading", "一"), path.name
        assert [s.text for s in witness.segments][1:] == expected, path.name


def test_a_chinese_pdf_joins_its_lines_and_keeps_its_headings_at_a_page_break(tmp_path: Path):
    # A heading at the top of a page, after a paragraph whose last line filled the width (so nothing
    # marks its end), was read as the end of that paragraph: 第二章　结论 a sentence in it. A heading at
    # the foot of a page ran into the first sentence on the next: 第四章　结束语从全会听取的...
    from fpdf import FPDF

    class Book(FPDF):
        def header(self) -> None:
            if self.page_no() > 1:
                self.set_font("wqy", size=9)
                self.cell(0, 8, "论党的工作的缺点", align="L")
                self.cell(0, 8, str(self.page_no()), align="R", new_x="LMARGIN", new_y="NEXT")
                self.ln(4)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("wqy", size=9)
            self.cell(0, 10, str(self.page_no()), align="C")

    sentence = "从全会听取的各个报告和对这些报告的讨论中可以看出我们所碰到的是以下三个基本事实。"
    paragraph = sentence * 4  # 40 characters a sentence, wrapped at 20: every line full
    pdf = Book(format=(148, 210))
    pdf.add_font("wqy", fname=str(WQY))
    pdf.set_auto_page_break(False)
    for heading, count in (
        ("第一章　报告", 3),
        ("第二章　结论", 3),
        ("第三章　任务", 3),
        ("第四章　结束语", 1),
    ):
        if heading != "第四章　结束语":
            pdf.add_page()
        pdf.set_font("wqy", size=12)
        pdf.cell(0, 6, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        if heading == "第四章　结束语":
            pdf.add_page()  # the heading stays at the foot of page 3, its text on page 4
        pdf.set_font("wqy", size=10)
        for _ in range(count):
            for start in range(0, len(paragraph), 20):
                pdf.cell(0, 5, paragraph[start : start + 20], new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
    pdf.output(str(tmp_path / "book.pdf"))
    witness = load_witness(WitnessMeta("zh", "zh"), [tmp_path / "book.pdf"])
    headings = ["第一章　报告", "第二章　结论", "第三章　任务", "第四章　结束语"]
    assert [(b.kind, b.segments[0].text) for b in witness.blocks if b.kind != "paragraph"] == [
        ("title", headings[0]),
        *(("heading", heading) for heading in headings[1:]),
    ]
    others = [s.text for s in witness.segments if s.text != sentence]
    assert others == headings  # no running head, no page number, no space where lines join
    assert len(witness.segments) == 4 + 4 * 10 and witness.segments[-1].page == 4


def test_a_page_that_names_no_encoding_is_read_in_the_one_it_is_in(tmp_path: Path):
    # lxml reads a page without <meta charset> as Latin-1 and ignores an XML declaration's encoding: a
    # Chinese page saved without one came out as mojibake (ç¬¬ä¸\x80ç« ), with only a warning.
    zh = "<h2>第一章　相遇</h2>\n<p>　　他走进房间，看见她坐在窗边。</p><p>她笑了笑，没有说话。</p>"
    ja = "<h2>第一章　相遇</h2>\n<p>　吾輩は猫である。名前はまだ無い。<p>どこで生れたかとんと見当がつかぬ。"
    pages = {
        "utf8.html": (f"<html><body>{zh}</body></html>", "utf-8", "zh"),
        "gbk.html": (f"<html><head><title>三体</title></head><body>{zh}</body></html>", "gbk", "zh"),
        "gbk.xhtml": (
            f'<?xml version="1.0" encoding="GBK"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body>{zh}'
            "</body></html>",
            "gbk",
            "zh",
        ),
        "sjis.html": (f"<!DOCTYPE html><html><body>{ja}</body></html>", "shift_jis", "ja"),
        "sjis-declared.html": (
            '<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS"></head>'
            f"<body>{ja}</body></html>",
            "shift_jis",
            "ja",
        ),
    }
    expected = {
        "zh": ["第一章\u3000相遇", "他走进房间，看见她坐在窗边。", "她笑了笑，没有说话。"],
        "ja": [
            "第一章\u3000相遇",
            "吾輩は猫である。",
            "名前はまだ無い。",
            "どこで生れたかとんと見当がつかぬ。",
        ],
    }
    for name, (page, encoding, lang) in pages.items():
        (tmp_path / name).write_bytes(page.encode(encoding))
        witness = load_witness(WitnessMeta("x", lang), [tmp_path / name])
        assert [s.text for s in witness.segments] == expected[lang], name


def test_a_file_given_without_a_language_takes_the_one_it_declares(tmp_path: Path, capsys):
    # An EPUB saying <dc:language>ja</dc:language> was refused without ":ja" ("language ... unknown").
    body = "<h2>一</h2>\n<p>　<ruby>吾輩<rt>わがはい</rt></ruby>は猫である。名前はまだ無い。</p>"
    _epub(tmp_path / "neko.epub", "ja", [body])
    (tmp_path / "neko.html").write_text(_html("ja-JP", body), encoding="utf-8")
    (tmp_path / "neko.xml").write_text(
        f'<TEI xmlns="{TEI}"><teiHeader><fileDesc><titleStmt><title>猫</title></titleStmt><publicationStmt>'
        "<p/></publicationStmt><sourceDesc><p/></sourceDesc></fileDesc></teiHeader><text xml:lang='ja'><body>"
        "<head>一</head><p>吾輩は猫である。名前はまだ無い。</p></body></text></TEI>",
        encoding="utf-8",
    )
    for name in ("neko.epub", "neko.html", "neko.xml"):
        out = tmp_path / f"{name}.txt"
        assert main(["segment", str(tmp_path / name), "--txt", str(out)]) == 0, capsys.readouterr().err
        assert out.read_text("utf-8").split() == ["一", "吾輩は猫である。", "名前はまだ無い。"], name
    witness = load_witness(*pipeline_resolve(str(tmp_path / "neko.html")))
    assert witness.meta.lang == "ja-JP"
    # the language given wins over the file's; a file that declares none, or one unknown, is one line
    assert main(["segment", f"{tmp_path / 'neko.epub'}:zh", "--txt", str(tmp_path / "zh.txt")]) == 0
    assert "neko (zh): 3 sentences" in capsys.readouterr().out
    _epub(tmp_path / "klingon.epub", "tlh", [body])
    (tmp_path / "bare.html").write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    for name, message in (
        ("klingon.epub", "klingon.epub declares its language as 'tlh', which aligner does not know"),
        ("bare.html", "language of"),
    ):
        assert main(["segment", str(tmp_path / name)]) == 1
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err


def pipeline_resolve(argument: str) -> tuple[WitnessMeta, list[Path]]:
    from aligner.manifest import NO_MANIFEST, resolve
    from aligner.pipeline import declared_lang

    return resolve(argument, NO_MANIFEST, declared=declared_lang)


def test_a_short_chinese_pdf_is_not_taken_for_a_scan(tmp_path: Path):
    # Words were counted by spaces: a page of two wrapped Chinese lines had two, and was refused as a
    # scan without a text layer.
    from fpdf import FPDF

    pdf = FPDF(format=(148, 210))
    pdf.add_font("wqy", fname=str(WQY))
    pdf.add_page()
    pdf.set_font("wqy", size=10)
    pdf.multi_cell(0, 5, "床前明月光，疑是地上霜。举头望明月，低头思故乡。" * 2)
    pdf.output(str(tmp_path / "poem.pdf"))
    witness = load_witness(WitnessMeta("zh", "zh"), [tmp_path / "poem.pdf"])
    assert [s.text for s in witness.segments] == ["床前明月光，疑是地上霜。", "举头望明月，低头思故乡。"] * 2


def test_docx_headings_in_a_style_of_the_documents_own_or_by_outline_level(tmp_path: Path):
    # A Chinese document's own heading style (章标题, based on Heading 2) and a paragraph given an
    # outline level were read as paragraphs: 一、政治上的麻痹大意 a sentence of the text.
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    chapter = document.styles.add_style("章标题", WD_STYLE_TYPE.PARAGRAPH)
    chapter.base_style = document.styles["Heading 2"]
    document.add_paragraph("论党的工作的缺点", style="Title")
    document.add_paragraph("一、政治上的麻痹大意", style="章标题")
    document.add_paragraph("同志们！我们碰到的是三个基本事实。")
    outlined = document.add_paragraph("二、资本主义包围")
    level = OxmlElement("w:outlineLvl")
    level.set(qn("w:val"), "1")
    outlined._p.get_or_add_pPr().append(level)
    document.add_paragraph("第一，外国代理人的暗害活动。")
    document.save(str(tmp_path / "report.docx"))
    witness = load_witness(WitnessMeta("zh", "zh"), [tmp_path / "report.docx"])
    assert [(b.kind, b.label, [s.text for s in b.segments]) for b in witness.blocks] == [
        ("title", "", ["论党的工作的缺点"]),
        ("heading", "一", ["政治上的麻痹大意"]),
        ("paragraph", "", ["同志们！", "我们碰到的是三个基本事实。"]),
        ("heading", "二", ["资本主义包围"]),
        ("paragraph", "", ["第一，外国代理人的暗害活动。"]),
    ]


def test_an_aozora_bunko_page_reads_as_its_text(tmp_path: Path):
    # Aozora Bunko's XHTML, as it serves it: Shift_JIS named by an XML declaration and a <meta>, a
    # character of Microsoft's Shift_JIS (①), ruby with <rp>, lines ended by <br /> loose in a div, the
    # author under the title, a colophon and notes on the notation after the text. It came out as
    # mojibake; then with the author a heading, 「君は誰だ」 run into the next paragraph, the colophon text.
    page = """<?xml version="1.0" encoding="Shift_JIS"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" "http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="ja" >
<head>
\t<meta http-equiv="Content-Type" content="text/html;charset=Shift_JIS" />
\t<title>夏目漱石 吾輩は猫である</title>
</head>
<body>
<div class="metadata">
<h1 class="title">吾輩は猫である</h1>
<h2 class="author">夏目漱石</h2>
<br />
</div>
<div id="contents" style="display:none"></div><div class="main_text"><br />
<div class="jisage_7" style="margin-left: 7em"><h4 class="naka-midashi"><a class="midashi_anchor" \
id="midashi10">一</a></h4></div>
<br />
　<ruby><rb>吾輩</rb><rp>（</rp><rt>わがはい</rt><rp>）</rp></ruby>は猫である。名前はまだ無い。<br />
　どこで生れたかとんと<ruby><rb>見当</rb><rp>（</rp><rt>けんとう</rt><rp>）</rp></ruby>がつかぬ。<br />
「君は誰だ」<br />
「吾輩は猫である」と吾輩は①答えた。<br />
</div>
<div class="bibliographical_information">
<hr />
<br />
底本：「夏目漱石全集1」ちくま文庫、筑摩書房<br />
　　　1987（昭和62）年9月29日第1刷発行<br />
入力：柴田卓治<br />
</div>
<div class="notation_notes">
<hr />
●表記について<br />
<ul>
\t<li>このファイルは W3C 勧告 XHTML1.1 にそった形式で作成されています。</li>
</ul>
</div>
</body>
</html>
"""
    (tmp_path / "wagahai.html").write_bytes(page.encode("cp932"))
    out = tmp_path / "wagahai.txt"
    assert main(["segment", str(tmp_path / "wagahai.html"), "--txt", str(out)]) == 0  # its xml:lang: ja
    assert out.read_text("utf-8").split("\n\n") == [
        "吾輩は猫である",
        "一",
        "吾輩は猫である。\n名前はまだ無い。",
        "どこで生れたかとんと見当がつかぬ。",
        "「君は誰だ」",
        "「吾輩は猫である」と吾輩は①答えた。\n",
    ]
