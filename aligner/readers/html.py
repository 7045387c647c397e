"""HTML (and the XHTML of an EPUB): the article's headings, paragraphs and numbered lists.

The text is the page's ``<article>`` or ``<main>`` if it has one, else its ``<body>``; navigation,
scripts, styles, headers and footers of the page, forms and footnotes (and the marks that call them)
are left out. ``<h1>`` is a title, ``<h2>``-``<h6>`` headings, an item of an ordered list a numbered
point (numbered from the list's ``start``), anything else holding text a paragraph. Lines are those of
the markup.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from pathlib import Path

from lxml import etree, html

from aligner.errors import AlignerError
from aligner.readers import Run, Unit
from aligner.segment import CLOSERS, FULL_WIDTH_ENDS, NO_SPACE_SCRIPT

_SKIP = {
    "script",
    "style",
    "nav",
    "footer",
    "aside",
    "noscript",
    "template",
    "form",
    "button",
    "select",
    "iframe",
    "svg",
    "math",
    "head",
    # ruby's readings (furigana, pinyin) and the parentheses shown where ruby is not supported: the
    # text is the base (<ruby>吾輩<rt>わがはい</rt></ruby> reads 吾輩), as aozora.py drops 《…》
    "rt",
    "rp",
    "rtc",
}
_BLOCKS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "blockquote",
    "ol",
    "ul",
    "li",
    "dl",
    "dt",
    "dd",
    "pre",
    "table",
    "tr",
    "td",
    "th",
    "figure",
    "figcaption",
    "caption",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
}
# Aozora Bunko's pages (the source of most Japanese e-texts): the author's, translator's... names under
# the title, the colophon (底本：...) and the notes on the notation are not the text.
_AOZORA_APART = {"author", "translator", "editor", "henyaku", "bibliographical_information", "notation_notes"}
_NO_SPACE = re.compile(f"[{NO_SPACE_SCRIPT}]")
_HEADINGS = {
    "h1": "title",
    "h2": "heading",
    "h3": "heading",
    "h4": "heading",
    "h5": "heading",
    "h6": "heading",
}


_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["'][^>]*\?>""")
# What browsers read for these labels (the WHATWG Encoding standard): Shift_JIS is Microsoft's cp932,
# GB2312 is GBK, Big5 is Big5-HKSCS, Latin-1 is windows-1252. Python's codecs of the same names are
# stricter, and an Aozora Bunko page's ① or ～ would not decode.
_AS_BROWSERS_READ = {
    **dict.fromkeys(
        ("shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "csshiftjis", "windows-31j"), "cp932"
    ),
    **dict.fromkeys(("gb2312", "gbk", "x-gbk", "csgb2312", "chinese", "gb_2312-80", "iso-ir-58"), "gb18030"),
    **dict.fromkeys(("big5", "big5-hkscs", "cn-big5", "x-x-big5", "csbig5"), "big5hkscs"),
    **dict.fromkeys(("iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii", "l1"), "cp1252"),
}


def decoded(data: bytes, path: Path, guess: Callable[[], str] | None = None) -> bytes | str:
    """The page as lxml should parse it. lxml's HTML parser reads a page that names no encoding as
    Latin-1, ignores an XML declaration's (and then a ``<meta>``'s: an Aozora Bunko page came out as
    mojibake), and decodes Shift_JIS more strictly than browsers do. So a BOM is left to lxml; the
    encoding an XML declaration or a ``<meta>`` names is applied as browsers apply it; else UTF-8, or,
    where the bytes are not UTF-8, ``guess`` (the plain-text path's detection of legacy encodings: GBK,
    Big5, Shift-JIS... for the witness's language)."""
    if data.startswith(_BOMS):
        return data
    head = data[:4096]
    declared = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    if declared:
        name = declared.group(1).decode("ascii")
        body = data[declared.end() :] if declared.re is _XML_ENCODING else data
        try:
            return body.decode(_AS_BROWSERS_READ.get(name.lower(), name))
        except LookupError:
            raise AlignerError(f"{path} declares an unknown encoding {name!r}") from None
        except UnicodeDecodeError as err:
            raise AlignerError(
                f"{path} declares encoding {name!r} but byte {err.start} is not in it"
            ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return guess() if guess is not None else data


def parse(data: bytes | str, path: Path) -> etree._Element:
    """The document's root, parsed leniently as browsers do; nothing is fetched."""
    parser = html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
    try:
        root = html.document_fromstring(data, parser=parser)
    except (etree.ParserError, ValueError) as err:
        raise AlignerError(f"{path} is not readable HTML: {err}") from None
    return root


def _tag(node: etree._Element) -> str:
    return etree.QName(node).localname.lower() if isinstance(node.tag, str) else ""


def _skipped(node: etree._Element) -> bool:
    """Left out: page furniture, and footnotes and their calls (as pandoc and EPUBs mark them)."""
    tag = _tag(node)
    if not tag or tag in _SKIP:
        return True
    classes = set((node.get("class") or "").split())
    kinds = {
        node.get("role", ""),
        node.get("{http://www.idpf.org/2007/ops}type", ""),
        node.get("epub:type", ""),
    }
    kinds |= set((node.get("epub:type") or "").split())
    return bool(
        classes & {"footnotes", "footnote-ref", "footnote", "endnotes", "noteref", *_AOZORA_APART}
        or kinds
        & {"doc-noteref", "doc-endnotes", "doc-footnote", "noteref", "footnote", "footnotes", "endnotes"}
    )


def content_root(root: etree._Element) -> etree._Element:
    """The article or main content if the page marks it, else the body (or the whole document)."""
    for tag in ("article", "main"):
        found = [n for n in root.iter() if _tag(n) == tag and not _skipped(n)]
        if found:
            return found[0]
    body = [n for n in root.iter() if _tag(n) == "body"]
    return body[0] if body else root


def units(root: etree._Element, file: str) -> list[Unit]:
    """The blocks of an (X)HTML document's content, in reading order."""
    found: list[Unit] = []
    _walk(content_root(root), file, found)
    return found


def _has_blocks(node: etree._Element) -> bool:
    return any(_tag(child) in _BLOCKS for child in node if not _skipped(child))


def _walk(node: etree._Element, file: str, found: list[Unit]) -> None:
    tag = _tag(node)
    if tag in _HEADINGS:
        found.append(_unit(node, file, _HEADINGS[tag]))  # type: ignore[arg-type]
    elif tag in ("ol", "ul"):
        start = int(node.get("start")) if (node.get("start") or "").isdigit() else 1
        number = start
        for item in node:
            if _skipped(item):
                continue
            if _tag(item) != "li":
                _walk(item, file, found)
                continue
            label = f"{number}." if tag == "ol" else ""
            found.append(_unit(item, file, "point" if tag == "ol" else "paragraph", label, lists=True))
            number += 1
            for child in item:  # a list inside the item follows it
                if _tag(child) in ("ol", "ul") and not _skipped(child):
                    _walk(child, file, found)
    elif _has_blocks(node) and tag not in ("p", "pre", "dt", "dd", "td", "th", "caption", "figcaption"):
        loose = Run()
        line = loose.add(node.text or "", node.sourceline or 0)
        for child in node:
            if _skipped(child):
                line = loose.add(child.tail or "", line)
                continue
            if _tag(child) in _BLOCKS:
                _flush(loose, file, found)
                loose = Run()
                _walk(child, file, found)
                line = loose.add(child.tail or "", child.sourceline or line)
            elif _tag(child) == "br" and _paragraph_ends(loose, child.tail or ""):
                _flush(loose, file, found)
                loose = Run()
                line = loose.add(child.tail or "", child.sourceline or line)
            else:
                line = _inline(child, loose, line)
        _flush(loose, file, found)
    else:
        unit = _unit(node, file, "paragraph")
        if unit.run.chars:
            found.append(unit)


def _paragraph_ends(run: Run, after: str) -> bool:
    """Does a ``<br>`` in text laid out by line breaks alone (loose in a ``div``, as Aozora Bunko's pages
    have it) end a paragraph? In Chinese and Japanese, where the line ends a sentence or a quotation
    (``。``, ``」``), or the next opens indented (``\u3000``) or with a quotation (``「``): each line of
    such a page is a paragraph, and 「君は誰だ」 is one, not the start of the next."""
    text = run.text()[0]
    if not text:
        return False
    if text[-1] in FULL_WIDTH_ENDS + "」』" or text.rstrip(CLOSERS)[-1:] in tuple(FULL_WIDTH_ENDS):
        return True  # 。 or 。” or a quotation 「…」, not a bracket （注） a line may wrap after
    return bool(_NO_SPACE.match(text[-1])) and after.lstrip(" \t\r\n")[:1] in ("\u3000", "「", "『")


def _flush(run: Run, file: str, found: list[Unit]) -> None:
    if run.text()[0]:
        found.append(Unit("paragraph", file, run))


def _unit(node: etree._Element, file: str, kind: str, label: str = "", lists: bool = False) -> Unit:
    unit = Unit(kind, file, label=label)  # type: ignore[arg-type]
    line = unit.run.add(node.text or "", node.sourceline or 0)
    for child in node:
        if lists and _tag(child) in ("ol", "ul"):
            line = unit.run.add(child.tail or "", line)
            continue
        line = _inline(child, unit.run, line)
    return unit


def _inline(node: etree._Element, run: Run, line: int) -> int:
    """The text of ``node`` and its tail; a block or ``<br>`` inside a paragraph separates words."""
    line = node.sourceline or line
    if not _skipped(node):
        tag = _tag(node)
        if tag in _BLOCKS or tag == "br":
            run.space(line)
        line = run.add(node.text or "", line)
        for child in node:
            line = _inline(child, run, line)
        if tag in _BLOCKS:
            run.space(line)
    return run.add(node.tail or "", line)


def language(data: bytes, path: Path) -> str:
    """The page's ``<html lang>`` (or ``xml:lang``), or ""."""
    root = parse(decoded(data, path), path)
    return (root.get("lang") or root.get("xml:lang") or "").strip()  # XHTML's, as the HTML parser names it


def read(path: Path, data: bytes, guess: Callable[[], str] | None = None) -> list[Unit]:
    found = units(parse(decoded(data, path, guess), path), path.name)
    if not found:
        raise AlignerError(f"no text found in {path} (HTML: no paragraph or heading in its content)")
    return found
