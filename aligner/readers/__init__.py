"""Readers for the files scholars actually have: TEI, EPUB, DOCX, HTML and PDF.

Each reader turns its format's structure into the blocks the plain-text path finds by layout (title,
headings, numbered points, paragraphs), then the same segmenter splits them into sentences, so a
translation read from DOCX aligns like the same text read from a plain file. Every sentence keeps its
provenance: the file and the source lines (XML formats: the line of the markup; DOCX: the paragraph's
number in the document; PDF: the line of the extracted text layer, see ``pdf.py``).

``read_blocks`` picks the reader by the file's content (a ZIP's members, a PDF's or an XML root's
signature) and, where the content is ambiguous, by its extension; plain text and Markdown go on to the
plain-text path, an Aozora Bunko file first taken apart by ``aozora.py``.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from lxml import etree

from aligner.errors import AlignerError
from aligner.segment import no_space_between, sentence_spans
from aligner.witness import Block, BlockKind, Segment, WitnessMeta

Format = Literal["text", "tei", "epub", "docx", "html", "pdf"]
# A reader's bibliographic findings (a TEI header's title, author...), filling what the manifest leaves out.
Found = dict[str, str]
TextBlocks = Callable[[str], list[Block]]
# ingest's reading of a number opening a heading or a point ("1:", "IV.", "3."), for the same labels.
NumberPrefix = Callable[[str, str], "re.Match[str] | None"]

_ZIP_SUFFIXES = {".epub": "epub", ".docx": "docx"}
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")


def detect(path: Path, data: bytes) -> Format:
    """The format of ``data`` by its content; the extension only names what a broken file should be."""
    suffix = path.suffix.lower()
    if data.startswith(b"%PDF-") or suffix == ".pdf":
        return "pdf"
    if data.startswith(b"PK\x03\x04") or suffix in _ZIP_SUFFIXES:
        return _zip_format(path, data)
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if suffix in (".tei", ".xml") or (head.startswith(b"<?xml") and b"<tei" in head):
        return "tei"
    if suffix in _HTML_SUFFIXES or head.startswith((b"<!doctype html", b"<html")):
        return "html"
    return "text"


def _zip_format(path: Path, data: bytes) -> Format:
    import io

    expected = _ZIP_SUFFIXES.get(path.suffix.lower(), "EPUB or DOCX")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            bad = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as err:
        raise AlignerError(
            f"{path} is not a readable {expected.upper()} file (broken ZIP archive: {err})"
        ) from None
    if bad is not None:
        raise AlignerError(f"{path} is not a readable {expected.upper()} file (member {bad} is corrupt)")
    if "word/document.xml" in names:
        return "docx"
    if "META-INF/container.xml" in names:
        return "epub"
    raise AlignerError(f"{path} is a ZIP archive but neither an EPUB nor a DOCX document")


def read_blocks(
    path: Path,
    data: bytes,
    lang: str,
    first_file: bool,
    text_blocks: TextBlocks,
    number_prefix: NumberPrefix,
    guess: Callable[[], str] | None = None,
) -> tuple[list[Block], Found] | None:
    """The blocks of ``path`` in a structured format, and what it says about itself; ``None`` for text.

    ``text_blocks`` is the plain-text path (cleaning, structure, segmentation), which the PDF reader
    uses on its text layer; ``number_prefix`` finds the number opening a heading or point; ``guess``
    decodes the file as plain text is decoded (legacy encodings of the language), for an HTML page that
    names no encoding. All come from ``ingest``, which calls this: passed in, so that no import goes
    back up.
    """
    kind = detect(path, data)
    if kind == "text":
        return None
    if kind == "pdf":
        from aligner.readers import pdf

        return pdf.read(path, data, text_blocks), {}
    if kind == "tei":
        from aligner.readers import tei

        units, found = tei.read(path, data, lang)
    elif kind == "epub":
        from aligner.readers import epub

        units, found = epub.read(path, data)
    elif kind == "docx":
        from aligner.readers import docx

        units, found = docx.read(path, data), {}
    else:
        from aligner.readers import html

        units, found = html.read(path, data, guess), {}
    blocks = to_blocks(units, lang, first_file, number_prefix)
    if not blocks:
        raise AlignerError(f"no text found in {path} ({kind.upper()})")
    return blocks, found


def declared_lang(path: Path) -> str:
    """The language a file declares for itself (an EPUB's ``dc:language``, HTML's ``<html lang>``, TEI's
    ``xml:lang``), for a file given without one; "" when it declares none or cannot be read (the reader
    then says what is wrong). A code the tool does not know is passed on, to be refused by name."""
    try:
        data = path.read_bytes()
        kind = detect(path, data)
    except (OSError, AlignerError):
        return ""
    try:
        if kind == "epub":
            from aligner.readers import epub

            return epub.language(data)
        if kind == "html":
            from aligner.readers import html

            return html.language(data, path)
        if kind == "tei":
            from aligner.readers import tei

            return tei.language(path, data)
    except (AlignerError, KeyError, zipfile.BadZipFile, ValueError, etree.LxmlError):
        return ""
    return ""


# --- text gathered from markup, and units of structure ---------------------------------------------


class Run:
    """Text gathered from markup, spaces collapsed, with the source line of every character.

    A run of spaces is one space, held until the next character shows what it is: a line break (in
    the markup's text or made by the markup) between Chinese or Japanese is no space at all, as where
    plain text wraps; ideographic spaces alone (``第一章\u3000相遇``) are the text's own and stay.
    """

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.lines: list[int] = []
        self._glue = False
        self._break = False  # the pending space holds a line break
        self._ideographic = False  # the pending space is ideographic spaces only

    def add(self, text: str, line: int) -> int:
        """Append ``text`` that starts on ``line``; returns the line it ends on."""
        for char in text:
            if char.isspace():
                self._pend(char == "\n", char == "\u3000", line)
            else:
                self._settle(char)
                self._glue = False
                self.chars.append(char)
                self.lines.append(line)
            if char == "\n":
                line += 1
        return line

    def _pend(self, line_break: bool, ideographic: bool, line: int) -> None:
        if self.chars and self.chars[-1] == " ":
            self._break, self._ideographic = self._break or line_break, self._ideographic and ideographic
        elif self.chars and not self._glue:
            self.chars.append(" ")
            self.lines.append(line)
            self._break, self._ideographic = line_break, ideographic

    def _settle(self, char: str) -> None:
        """What the pending space before ``char`` is: nothing, an ideographic space, or a space."""
        if not self.chars or self.chars[-1] != " ":
            return
        if self._break and no_space_between("".join(self.chars[-4:-1]), char):
            self.chars.pop()
            self.lines.pop()
        elif self._ideographic:
            self.chars[-1] = "\u3000"

    def space(self, line: int) -> None:
        """A word boundary the markup makes (``<lb/>``, ``<br>``, a ``<l>`` ending): a line break."""
        self._pend(True, False, line)

    def glue(self) -> None:
        """Join the next word to this one: a word broken at a line end (``<lb break="no"/>``)."""
        if self.chars and self.chars[-1] == " ":
            self.chars.pop()
            self.lines.pop()
        self._glue = True

    def text(self) -> tuple[str, list[int]]:
        end = len(self.chars)
        while end and self.chars[end - 1] == " ":
            end -= 1
        return "".join(self.chars[:end]), self.lines[:end]


@dataclass
class Sentence:
    """A sentence the source already segmented, with the id it has there."""

    text: str
    line_start: int
    line_end: int
    xml_id: str


@dataclass
class Unit:
    """One block as a reader found it: its kind, label and text (or its own sentences), in ``file``."""

    kind: BlockKind
    file: str
    run: Run = field(default_factory=Run)
    label: str = ""
    sentences: list[Sentence] = field(default_factory=list)


def to_blocks(units: list[Unit], lang: str, first_file: bool, number_prefix: NumberPrefix) -> list[Block]:
    """Blocks segmented like the plain-text path's: a title or heading is one unit, the rest is split
    into sentences; numbers opening headings and points ("1:", "IV.", "3.") become labels. In a file
    after the first (a chapter of a book in many files) a title opens a section, like a heading."""
    blocks: list[Block] = []
    for unit in units:
        kind: BlockKind = "heading" if unit.kind == "title" and not first_file else unit.kind
        if unit.sentences:
            segments = tuple(
                Segment(s.text, unit.file, s.line_start, s.line_end, xml_id=s.xml_id)
                for s in unit.sentences
                if s.text
            )
            if segments:
                blocks.append(Block(kind, segments, unit.label))
            continue
        text, origins = unit.run.text()
        label = unit.label
        if kind in ("heading", "point"):
            prefix = number_prefix(text, kind)
            if prefix and (kind == "heading" or not label):
                groups = [g for g in prefix.groups() if g]
                label = label or (groups[0] + "." if kind == "point" else groups[0])
                text, origins = text[prefix.end() :], origins[prefix.end() :]
        if not text:
            continue
        spans = [(0, len(text))] if kind in ("title", "heading", "source") else sentence_spans(text, lang)
        segments = tuple(Segment(text[a:b], unit.file, origins[a], origins[b - 1]) for a, b in spans)
        if segments:
            blocks.append(Block(kind, segments, label))
    return blocks


def fill_meta(meta: WitnessMeta, found: Found, path: Path) -> WitnessMeta:
    """The witness's description, completed from the file's own (a TEI header) where the manifest or the
    command line gave none; a bare file's title is its name, which a title found in the file replaces."""
    given = {key: getattr(meta, key) for key in found}
    if given.get("title") == path.stem:
        given["title"] = ""
    return replace(meta, **{key: value for key, value in found.items() if value and not given[key]})
