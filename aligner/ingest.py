"""Ingestion: read a witness's files and clean them the way a careful editor would.

Raw OCR comes with running headers and page numbers, paragraphs and sentences broken by page
breaks, words hyphenated at line ends, and structure (title, headings, numbered points, source
lines) only visible in the layout. Every rule here decides from evidence in the text itself
(two trailing spaces closing a paragraph, a line starting with a space opening a page, a word
seen elsewhere with or without its hyphen), so it carries over to other texts and languages.
Every segment keeps its file name and source line range.
"""

from __future__ import annotations

import logging
import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path
from typing import TextIO

from charset_normalizer import from_bytes

from aligner import readers
from aligner.errors import AlignerError
from aligner.files import decode_unicode, looks_binary, read_bytes
from aligner.readers.aozora import take_apart
from aligner.segment import (
    CLOSERS,
    FINAL_STOP,
    FULL_WIDTH_ENDS,
    NO_SPACE_SCRIPT,
    SCRIPT_BOUNDARY,
    check_lang,
    language_tag,
    no_space_between,
    script_mismatch,
    sentence_spans,
)
from aligner.witness import Block, BlockKind, Segment, Witness, WitnessMeta, columns

log = logging.getLogger(__name__)

_SENTENCE_END = re.compile(rf"(?:[.!?…:;{FULL_WIDTH_ENDS}：；]|⋯)[\"'»”’)\]{CLOSERS}]*$")
# A running header: text, a gap of 3+ spaces, text, a page number ("MASTERING BOLSHEVISM    17"). Tested in
# parts (``_is_header_layout``): the single pattern ``^\S.*\S {3,}\S.*\S\s+\d{1,4}$`` is quadratic.
_PAGE_NUMBER_END = re.compile(r"\s\d{1,4}$")
_WIDE_GAP = re.compile(r"(?<=\S) {3,}(?=\S)")
_HEADER_MAX = 120  # characters: a printed line
_PAGE_NUMBER = re.compile(r"^[-–—\s]*\d{1,4}[-–—\s]*$")
_NUMBERED_HEADING = re.compile(r"^(\d{1,2}|[IVXLC]{1,6})\s*[:.)]\s+(?=\S)")
_NUMBERED_POINT = re.compile(r"^(\d{1,2})([.)])\s+(?=[\"'«„“(]?[A-ZÀ-ÞА-ЯЁ])")
# The same in Chinese and Japanese: "一、" and "（一）" number headings, "（1）" and "1、" points.
_CJK_NUMERAL = "一二三四五六七八九十百零〇"
_CJK_HEADING = re.compile(rf"^(?:([{_CJK_NUMERAL}]{{1,4}})、|[（(]([{_CJK_NUMERAL}]{{1,4}})[）)])\s*(?=\S)")
_CJK_POINT = re.compile(rf"^(?:[（(](\d{{1,2}})[）)]|(\d{{1,2}})[、．.])\s*(?=[{NO_SPACE_SCRIPT}])")
_NO_SPACE = re.compile(rf"[{NO_SPACE_SCRIPT}]")
_LINE_PARAGRAPHS = 0.6  # share of lines ending a sentence from which every line is a paragraph
# A year: not "\b1937\b", which fails before 年 (a word character), nor only in Arabic digits: a Chinese or
# Japanese dateline writes 1937年, １９３７年 or 一九三七年.
_KANJI_DIGIT = "〇零○一二三四五六七八九"
_YEAR = re.compile(
    r"(?<![\dA-Za-zÀ-ɏЀ-ӿ])(?:[1１][5-9５-９]\d\d|[2２][0０]\d\d)(?![\dA-Za-zÀ-ɏЀ-ӿ])"
    rf"|(?<![{_KANJI_DIGIT}])(?:一[五六七八九]|二〇)[{_KANJI_DIGIT}]{{2}}年"
)
_WORD = re.compile(r"\w+(?:-\w+)*")
_INTERNAL_BOUNDARY = re.compile(r"\w\w[.!?…][\"'»”)]*\s+[\"'«„“(]?[A-ZÀ-ÞА-ЯЁ]")
# The same before a letter of a script without case (Hangul, Arabic, Hebrew, Devanagari): "갔다. 그녀는".
_UNCASED_BOUNDARY = re.compile(r"\w\w[.!?…][\"'»”)]*\s+[\"'«„“(]?([^\W\d_])")
_HYPHEN_END = re.compile(r"(?<!\w)(\w+)-$")  # (?<!\w): linear, not quadratic, on a long line
# Prefixes that form compounds with a hyphen in the languages we read (never a split word).
_COMPOUND_PREFIXES = frozenset(
    {
        "self",
        "non",
        "anti",
        "counter",
        "over",
        "under",
        "ex",
        "semi",
        "pre",
        "post",
        "pro",
        "re",
        "co",
        "vice",
        "quasi",
        "pseudo",
        "ultra",
        "extra",
        "inter",
        "intra",
        "neo",
        "half",
        "well",
        "ill",
        "all",
        "cross",
        "mid",
        "multi",
    }
)


@dataclass
class _Line:
    """A source line, its number, and the layout marks OCR leaves on it. ``heading``: the source itself
    marks it as a heading (Aozora Bunko's notes); a run-in heading is a line of its own, and the text
    after it another line of the same number."""

    number: int
    raw: str
    heading: bool = False
    header: bool = False  # a running header or page number stood here (dropped): a page break

    @property
    def text(self) -> str:
        return self.raw.strip()

    @property
    def blank(self) -> bool:
        return not self.raw.strip()

    @property
    def page_start(self) -> bool:
        """A line starting with a space: in this kind of OCR, the first line of a page."""
        return self.raw[:1] in (" ", "\t", "\u3000") and not self.blank

    @property
    def paragraph_end(self) -> bool:
        """Two trailing spaces: the typographic mark of a paragraph's last line."""
        return self.raw.endswith("  ") and not self.blank


@dataclass
class _Paragraph:
    """Source lines that form one block, before classification."""

    lines: list[_Line] = field(default_factory=list)
    standalone: bool = False

    def first_text(self) -> str:
        return self.lines[0].text


def read_text(path: Path, lang: str | None = None) -> tuple[str, str]:
    """The decoded text of ``path`` and the encoding it was in; legacy encodings are detected, those of
    the declared language ``lang`` first (GBK and Big5 for Chinese, Shift-JIS for Japanese...)."""
    data = read_bytes(path, "text file")
    decoded = decode_unicode(data, path, "text file")  # before the binary test: UTF-16 is full of NULs
    if decoded is None and _ISO_2022.search(data):
        decoded = _decode_iso_2022(data, path)  # 7-bit Japanese or Korean e-mail text, full of escapes
    if not (data if decoded is None else decoded[0]).strip():
        raise AlignerError(f"{path} is empty")
    if decoded is not None:
        text, encoding = decoded
    elif looks_binary(data):
        raise AlignerError(f"{path} looks like a binary file, not text")
    else:
        text, encoding = _decode_8bit(data, path, lang)
    return text.replace("\r\n", "\n").replace("\r", "\n"), encoding


# The legacy encodings of a language, tried when the general guess gives letters of another script: on a
# few lines of GBK charset-normalizer finds cp1251 (mojibake in Cyrillic letters), on Big5 nothing at all.
_LEGACY_ENCODINGS = {
    "zh": ("gb18030", "big5", "big5hkscs"),
    "ja": ("cp932", "euc_jp"),
    "ko": ("cp949", "euc_kr"),
    **dict.fromkeys(("ru", "uk", "be", "bg"), ("cp1251", "koi8_r", "koi8_u", "cp866", "mac_cyrillic")),
}
_ISO_2022 = re.compile(rb"\x1b\$[@B(A)]")  # the escape into a two-byte set: ESC $ B, ESC $ ) C...


def _decode_iso_2022(data: bytes, path: Path) -> tuple[str, str]:
    try:
        return data.decode("iso2022_jp_2"), "iso2022_jp_2"
    except UnicodeDecodeError as err:
        raise AlignerError(
            f"{path} looks like ISO-2022 text but cannot be decoded (byte {err.start})"
        ) from None


def _check_damaged_utf8(data: bytes, path: Path, err: UnicodeDecodeError) -> None:
    """UTF-8 but for a stray byte (a damaged copy): say where, rather than guess a legacy encoding that
    reads every byte (GB18030 turns the whole file into other Chinese characters) or none."""
    lenient = data.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd")
    good = sum(1 for char in lenient if ord(char) > 127) - bad
    if good >= 10 * bad:
        line = data.count(b"\n", 0, err.start) + 1
        raise AlignerError(
            f"{path} is UTF-8 but for {bad} invalid byte(s), the first on line {line} (byte {err.start}): "
            "fix or remove them"
        ) from None


def _decode_8bit(data: bytes, path: Path, lang: str | None = None) -> tuple[str, str]:
    """UTF-8, else the legacy encoding charset-normalizer finds (cp1251, KOI8-R, GBK, Shift-JIS...),
    preferring one whose letters are in the script of the declared language."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as err:
        _check_damaged_utf8(data, path, err)
    best = from_bytes(data).best()
    if lang is not None and (best is None or script_mismatch([str(best)], lang, least=1)):
        legacy = _LEGACY_ENCODINGS.get(check_lang(lang))
        # threshold 1.0: on a short text every candidate looks chaotic; the least chaotic is still right.
        found = from_bytes(data, cp_isolation=list(legacy), threshold=1.0).best() if legacy else None
        if found is not None and found.encoding is not None and not script_mismatch([str(found)], lang, 1):
            best = found
    if best is None or best.encoding is None:
        raise AlignerError(
            f"{path} is not UTF-8 and its encoding could not be detected (save it as UTF-8)"
        ) from None
    return str(best), best.encoding


@contextmanager
def notes_to(stream: TextIO) -> Iterator[None]:
    """Tell the user on ``stream`` what ingestion guessed (a legacy encoding), as ``aligner: note: ...``."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("aligner: %(message)s"))
    log.addHandler(handler)
    propagate, log.propagate = log.propagate, False
    try:
        yield
    finally:
        log.removeHandler(handler)
        log.propagate = propagate


def load_witness(meta: WitnessMeta, paths: list[Path], presegmented: bool | None = None) -> Witness:
    """Read, clean, structure and segment every file of a witness, in order.

    ``presegmented``: ``None`` detects one-sentence-per-line input (blank line between paragraphs),
    ``True``/``False`` forces it; when ``None``, the witness's own ``presegmented`` (from the manifest)
    decides.
    """
    lang = check_lang(meta.lang)
    meta = replace(meta, lang=language_tag(meta.lang))
    if presegmented is None:
        presegmented = meta.presegmented
    blocks: list[Block] = []
    for index, path in enumerate(paths):
        named: dict[str, str] = {}  # what an Aozora Bunko header and colophon say about the work

        def text_blocks(
            text: str, path: Path = path, index: int = index, named: dict[str, str] = named
        ) -> list[Block]:
            lines = [_Line(number, raw.rstrip("\n")) for number, raw in enumerate(text.split("\n"), start=1)]
            lines = [_Line(line.number, line.raw.replace("\f", "")) for line in lines]
            aozora = take_apart([(line.number, line.raw) for line in lines])
            if aozora is not None:
                log.warning("note: %s is an Aozora Bunko text: %s", path.name, aozora.removed())
                lines = [_Line(*line) for line in aozora.body]
                named.update(aozora.meta())
            head = aozora.title_blocks(path.name, first_file=index == 0) if aozora else []
            as_sentences = _looks_presegmented(lines) if presegmented is None else presegmented
            if as_sentences:
                return head + _presegmented_blocks(lines, path.name)
            return head + _raw_blocks(lines, path.name, lang, index == 0 and not head)

        data = read_bytes(path, "text file")
        structured = readers.read_blocks(
            path,
            data,
            lang,
            index == 0,
            text_blocks,
            number_prefix,
            lambda path=path: read_text(path, lang)[0],
        )
        if structured is not None:
            file_blocks, found = structured
            if index == 0:
                meta = readers.fill_meta(meta, found, path)
        else:
            text, encoding = read_text(path, lang)
            if encoding != "utf-8":
                log.warning("note: decoded %s as %s", path.name, encoding)
            file_blocks = text_blocks(text)
            if index == 0:
                meta = readers.fill_meta(meta, named, path)
        if not any(block.segments for block in file_blocks):
            raise AlignerError(f"no sentence found in {path}")
        blocks.extend(file_blocks)
    mismatch = script_mismatch([segment.text for block in blocks for segment in block.segments], lang)
    if mismatch:
        log.warning("warning: %s (%s) is %s", meta.id, ", ".join(path.name for path in paths), mismatch)
    return Witness(meta=meta, blocks=blocks)


# --- presegmented input -------------------------------------------------------------------


def _looks_presegmented(lines: list[_Line]) -> bool:
    """One sentence per line: lines end like sentences and almost none holds a sentence boundary."""
    texts = [line.text for line in lines if not line.blank]
    if len(texts) < 3:
        return False
    # Text+Berg: 88-99 % of lines end a sentence, at most 10 % hold a boundary. The English OCR
    # ends 17 % of its lines so; Pravda, one paragraph a line, holds a boundary in 36-46 %.
    ends = sum(1 for text in texts if _SENTENCE_END.search(text))
    inner = sum(1 for text in texts if _internal_boundary(text) or _inner_script_boundary(text))
    return ends / len(texts) >= 0.7 and inner / len(texts) <= 0.2


def _internal_boundary(text: str) -> bool:
    """A stop, a space and a capital, or a letter that has no case: a sentence ends inside ``text``."""
    if _INTERNAL_BOUNDARY.search(text):
        return True
    return any(
        match.group(1).isalpha() and not match.group(1).isupper() and not match.group(1).islower()
        for match in _UNCASED_BOUNDARY.finditer(text)
    )


def _inner_script_boundary(text: str) -> bool:
    """A full-width sentence end inside the line, not at its end: "。他", "。」吾輩"."""
    if not _NO_SPACE.search(text):
        return False
    ends = re.finditer(rf"[{FULL_WIDTH_ENDS}]+[{CLOSERS}]*", text)
    return any(
        match.end() < len(text) and not text[match.end()].isspace() and not _decimal(text, match)
        for match in ends
    ) or any(match.end() < len(text) for match in SCRIPT_BOUNDARY.finditer(text))


def _decimal(text: str, match: re.Match[str]) -> bool:
    """The full-width point of a number ("１２．５"), not a sentence end."""
    return (
        match.group() == "．"
        and text[match.start() - 1 : match.start()].isdigit()
        and text[match.end()].isdigit()
    )


def _presegmented_blocks(lines: list[_Line], file: str) -> list[Block]:
    """A block a paragraph; a line the source marks as a heading (Aozora Bunko's notes) a block of its own."""
    blocks, current = [], []
    for line in [*lines, _Line(0, "")]:
        if line.blank or line.heading:
            if current:
                blocks.append(Block("paragraph", tuple(current)))
            current = []
        if line.heading:
            blocks.append(Block("heading", (Segment(line.text, file, line.number, line.number),)))
        elif not line.blank:
            current.append(Segment(line.text, file, line.number, line.number))
    return blocks


# --- raw input: pages, paragraphs, hyphenation ----------------------------------------------


def _raw_blocks(lines: list[_Line], file: str, lang: str, first_file: bool) -> list[Block]:
    """Lines the source itself marks as headings (``_Line.heading``, Aozora Bunko's notes) are headings
    whatever their layout."""
    lines = _drop_headers(lines)
    vocabulary = _Vocabulary(lines)
    paragraphs = _paragraphs(lines)
    if any(line.heading for line in lines):
        paragraphs = _marked_headings(paragraphs)
    blocks: list[Block] = []
    kinds = _classify(paragraphs, first_file)
    for index, paragraph in enumerate(paragraphs):
        if paragraph.lines[0].heading:
            number = number_prefix(paragraph.first_text(), "heading")
            kinds[index] = ("heading", next((g for g in number.groups() if g), "") if number else "")
    for index, (paragraph, (kind, label)) in enumerate(zip(paragraphs, kinds, strict=True)):
        if kind == "title" and index == 0:
            blocks.extend(_title_blocks(paragraph, vocabulary, lang, file))
            continue
        text, origins = _join(paragraph.lines, vocabulary, lang)
        if label and kind in ("heading", "point"):
            prefix = number_prefix(text, kind)
            if prefix:
                text, origins = text[prefix.end() :], origins[prefix.end() :]
        spans = [(0, len(text))] if kind in ("title", "heading", "source") else sentence_spans(text, lang)
        segments = tuple(
            Segment(text[start:end], file, origins[start], origins[end - 1]) for start, end in spans
        )
        if segments:
            blocks.append(Block(kind, segments, label))
    return blocks


def _drop_headers(lines: list[_Line]) -> list[_Line]:
    """Blank out running headers and page numbers, keeping line numbers for the rest."""
    shapes = Counter(_header_shape(line.text) for line in lines if not line.blank)
    kept = []
    for line in lines:
        text = line.text
        is_header = bool(
            not line.blank
            and (
                _is_header_layout(text)
                or _PAGE_NUMBER.match(text)
                or (shapes[_header_shape(text)] >= 5 and re.search(r"\d\s*$", text) and len(text) < 80)
            )
        )
        kept.append(_Line(line.number, "", header=True) if is_header else line)
    return kept


def _is_header_layout(text: str) -> bool:
    """The running-header pattern above, in linear time: on one long OCR line (a whole book without line
    breaks, runs of three spaces everywhere) the single regex backtracks for minutes. A header is one
    printed line: a longer line ending in a number is text, never dropped."""
    if len(text) > _HEADER_MAX:
        return False
    number = _PAGE_NUMBER_END.search(text)
    if number is None:
        return False
    head = text[: number.start()].rstrip()
    if not head or head[0].isspace():
        return False
    # A gap with a character before it that is not the first, and one after it that is not the last.
    return any(gap.start() >= 2 and gap.end() <= len(head) - 2 for gap in _WIDE_GAP.finditer(head))


def _header_shape(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", " ", text))


_RULE = re.compile(r"\s*([-‐‑‒–—―─━_*=~#·•＊※◇◆☆★＝－])(?:\s*\1){2,}\s*")
"""A line drawn with one mark repeated (``------``, ``* * *``, ``＊＊＊``): a section break, not text."""


def _paragraphs(lines: list[_Line]) -> list[_Paragraph]:
    """Group lines into paragraphs, telling paragraph breaks from page breaks by typographic evidence."""
    texts = [line for line in lines if not line.blank and not _RULE.fullmatch(line.text)]
    if not texts:
        return []
    # Short lines are wrapped paragraphs, unless most of them end a sentence: then every line is a
    # paragraph (a novel with one paragraph a line, its headings and dialogue lines unpunctuated or
    # unindented). A wrapped text ends 10-20 % of its lines so (the English OCR 17 %).
    ends = sum(1 for line in texts if _SENTENCE_END.search(line.text)) / len(texts)
    wrapped = statistics.median(_width(line.text) for line in texts) <= 100 and ends < _LINE_PARAGRAPHS
    # Indentation marks paragraphs when many lines are indented (the OCR's page starts are ~1 %).
    indented = sum(1 for line in texts if line.page_start) / len(texts) >= 0.05
    ideographic = sum(1 for line in texts if line.raw.startswith("\u3000")) / len(texts) >= 0.05
    following = {id(a): b for a, b in pairwise(texts)}
    widest = max(_width(line.text) for line in texts)
    paragraphs: list[_Paragraph] = []
    current: list[_Line] = []
    blank_before = header_between = True
    for line in lines:
        if line.blank or _RULE.fullmatch(line.text):
            if current and not line.blank:  # a section break drawn across the page: no text of its own
                paragraphs.append(_Paragraph(current))
                current = []
            blank_before, header_between = True, header_between or line.header
            continue
        if current and (
            (
                _breaks(current[-1], line, blank_before, wrapped, indented)
                and not (wrapped and header_between and _cut_by_page(current))
            )
            or (ideographic and _opens_indented(current[-1], line, following.get(id(line)), widest))
            or _heading_at_foot(current, line)
        ):
            paragraphs.append(_Paragraph(current))
            current = []
        current.append(line)
        blank_before = header_between = False
    if current:
        paragraphs.append(_Paragraph(current))
    for paragraph in paragraphs:
        paragraph.standalone = len(paragraph.lines) == 1
    return _split_headings(paragraphs, lines)


def _breaks(previous: _Line, line: _Line, blank_between: bool, wrapped: bool, indented: bool) -> bool:
    """Does a new paragraph start at ``line``? Page breaks fall mid-sentence; paragraph ends are marked."""
    if not wrapped:
        return True
    before, after = previous.text, line.text
    if before.endswith("-") and not before.endswith(" -"):
        return False  # a word or compound cut at the line end
    if before.endswith(" -") and after.startswith("-"):
        return False  # a dash "--" cut in two
    starts_lower = after[:1].islower()
    ends_sentence = bool(_SENTENCE_END.search(before))
    if _opens_list(after) and (ends_sentence or _opens_list(before)):
        return True  # "（2）" after a finished point, "二、" under "一、": a list's items are its own blocks
    if not blank_between:
        # A marked paragraph end followed by a new page (or an indented line) that starts a sentence.
        marked = previous.paragraph_end or indented
        if line.page_start and ends_sentence and line.paragraph_end and _is_heading_text(after):
            # a heading atop a new page after a sentence whose last line filled the width (unmarked):
            # in Chinese and Japanese, wrapped at any character, one paragraph in ten ends so
            return True
        return marked and line.page_start and ends_sentence and not starts_lower
    # Across a blank line a paragraph runs on only where the text shows a page break mid-sentence: the
    # next line goes on in lower case (which no sentence starts with), or an unindented text's new page
    # (a line starting with a space) continues an unfinished sentence. A paragraph of Chinese ending in
    # a comma, or a heading above its text, stays apart.
    page_break = line.page_start and not indented and not ends_sentence and not previous.paragraph_end
    return not (starts_lower or page_break)


def _cut_by_page(current: list[_Line]) -> bool:
    """Lines that stop mid-sentence before a running header or page number: a page break, the text goes
    on after it. In Korean (no case, no indented page starts) nothing else shows it: "그들의 가면을",
    header, "벗기지 못한 것은..." were two paragraphs. A lone heading line at the foot stays apart."""
    last = current[-1]
    if _SENTENCE_END.search(last.text) or last.paragraph_end:
        return False
    return not (len(current) == 1 and _is_heading_text(last.text))


def _heading_at_foot(current: list[_Line], line: _Line) -> bool:
    """A heading (or dateline) alone at the foot of a page, its end marked: the new page starts the
    text under it, not the heading's continuation (``四、经济成就的阴暗面`` ran into its first sentence)."""
    return (
        len(current) == 1
        and current[0].paragraph_end
        and line.page_start
        and _is_heading_text(current[0].text)
    )


def _opens_indented(previous: _Line, line: _Line, following: _Line | None, widest: int) -> bool:
    """In a text whose paragraphs open with ideographic spaces (Chinese and Japanese), such a line opens
    one, never a page as in OCR; and a short unpunctuated line after a finished sentence and before such
    a line is a heading of its own (``第二章　宇宙闪烁``), not the end of a wrapped paragraph."""
    if line.raw.startswith("\u3000"):
        return True
    return (
        following is not None
        and following.raw.startswith("\u3000")
        and bool(_SENTENCE_END.search(previous.text))
        and _is_heading_text(line.text)
        and _width(line.text) <= widest / 2
    )


def _opens_list(text: str) -> bool:
    """A line opening with a heading or point number: "1.", "一、", "（一）", "（1）", "1、", or "IV." before
    a short heading (a line "V. Molotov said..." opens with an initial, not a number)."""
    roman = _NUMBERED_HEADING.match(text)
    if roman and not roman.group(1).isdigit():
        return _is_heading_text(text)
    return bool(number_prefix(text, "heading") or number_prefix(text, "point"))


def _split_headings(paragraphs: list[_Paragraph], lines: list[_Line]) -> list[_Paragraph]:
    """A short unpunctuated line between blank lines is a heading even if the text runs on after it."""
    numbers = {id(line): index for index, line in enumerate(lines)}  # a run-in heading shares its number

    def isolated_heading(line: _Line, paragraph: _Paragraph) -> bool:
        index = numbers[id(line)]
        blank_before = index == 0 or lines[index - 1].blank
        blank_after = index + 1 == len(lines) or lines[index + 1].blank
        return blank_before and blank_after and _is_heading_text(line.text) and len(paragraph.lines) > 1

    return _set_apart(paragraphs, isolated_heading)


def _marked_headings(paragraphs: list[_Paragraph]) -> list[_Paragraph]:
    """Every line marked as a heading a paragraph of its own, whatever the layout made of it."""
    return _set_apart(paragraphs, lambda line, _: line.heading)


def _set_apart(paragraphs: list[_Paragraph], apart: Callable[[_Line, _Paragraph], bool]) -> list[_Paragraph]:
    """Each line for which ``apart`` holds becomes a paragraph of its own; the lines around it stay
    together, before and after it."""
    result: list[_Paragraph] = []
    for paragraph in paragraphs:
        current: list[_Line] = []
        for line in paragraph.lines:
            if apart(line, paragraph):
                if current:
                    result.append(_Paragraph(current))
                result.append(_Paragraph([line], standalone=True))
                current = []
            else:
                current.append(line)
        if current:
            result.append(_Paragraph(current, standalone=paragraph.standalone and len(current) == 1))
    return result


def _is_heading_text(text: str) -> bool:
    first = text[:1]
    return (
        0 < _width(text) <= 80
        and not re.search(rf"[.,;:!?…\"»”\-，、；：⋯」』{FULL_WIDTH_ENDS}]$", text)
        and (
            first.isupper()
            or first.isdigit()
            or bool(_NO_SPACE.match(first) and first.isalpha())  # uncased: 结束语, 第三章
            or bool(_CJK_HEADING.match(text))
        )
        and any(char.isalpha() for char in text)
    )


def _width(text: str) -> int:
    """Columns ``text`` takes: a Chinese or Japanese character is as wide as two Latin ones."""
    return columns(text)


def number_prefix(text: str, kind: str) -> re.Match[str] | None:
    """The number opening a heading ("1:", "IV.", "一、", "（一）") or a point ("1.", "（1）")."""
    if kind == "heading":
        return _NUMBERED_HEADING.match(text) or _CJK_HEADING.match(text)
    return _NUMBERED_POINT.match(text) or _CJK_POINT.match(text)


# --- structure -------------------------------------------------------------------------------


def _classify(paragraphs: list[_Paragraph], first_file: bool) -> list[tuple[BlockKind, str]]:
    """Kind and label of every paragraph: title block, headings, numbered points, source line."""
    kinds: list[tuple[BlockKind, str]] = []
    last = len(paragraphs) - 1
    for index, paragraph in enumerate(paragraphs):
        text = " ".join(line.text for line in paragraph.lines)
        after_title = (index == 1 and kinds[0][0] == "title") or (index > 0 and kinds[-1] == ("heading", ""))
        if index == 0 and _is_title_block(paragraph, len(paragraphs)) and first_file:
            kinds.append(("title", ""))
        elif index == 0 and _is_title_block(paragraph, len(paragraphs)):
            number = number_prefix(text, "heading")  # a chapter file opening with "1: ..." or "IV. ..."
            kinds.append(("heading", next((g for g in number.groups() if g), "") if number else ""))
        elif after_title and _is_dateline(text):
            kinds.append(("title", ""))  # a subtitle or dateline under a title or part heading
        elif index == last and _is_source_line(text):
            kinds.append(("source", ""))
        elif paragraph.standalone and _is_heading_text(text):
            number = number_prefix(text, "heading")
            kinds.append(("heading", next((g for g in number.groups() if g), "") if number else ""))
        elif point := number_prefix(text, "point"):
            kinds.append(("point", next(g for g in point.groups() if g and g[0].isdigit()) + "."))
        else:
            kinds.append(("paragraph", ""))
    return kinds


def _is_title_block(paragraph: _Paragraph, count: int) -> bool:
    """A few lines opening the file, the first unpunctuated and not running on as prose."""
    first = paragraph.first_text()
    runs_on = len(paragraph.lines) > 1 and paragraph.lines[1].text[:1].islower()
    return (
        count > 1
        and len(paragraph.lines) <= 6
        and len(first) <= 150
        and not FINAL_STOP.search(first)
        and not _internal_boundary(first)
        and not runs_on
    )


def _is_source_line(text: str) -> bool:
    """The publication a text was taken from, e.g. «Правда. 29 марта 1937 года»."""
    return (
        len(text) <= 100 and bool(_YEAR.search(text)) and bool(re.match(r"^[\w«\"“„][^.!?]{0,60}\.\s", text))
    )


def _is_dateline(text: str) -> bool:
    return len(text) <= 250 and bool(_YEAR.search(text)) and not re.search(r"[!?]$", text)


def _title_blocks(paragraph: _Paragraph, vocabulary: _Vocabulary, lang: str, file: str) -> list[Block]:
    """Each line of a title block is a unit (author, title, subtitle), unless it runs on."""
    groups: list[list[_Line]] = []
    for line in paragraph.lines:
        runs_on = groups and (
            line.page_start
            or line.text[:1].islower()
            or groups[-1][-1].text.endswith("-")
            or _wraps_on(groups[-1][-1].text, line.text)
        )
        if runs_on:
            groups[-1].append(line)
        else:
            groups.append([line])
    blocks = []
    for group in groups:
        text, origins = _join(group, vocabulary, lang)
        blocks.append(Block("title", (Segment(text, file, origins[0], origins[-1]),)))
    return blocks


def _wraps_on(previous: str, line: str) -> bool:
    """A Chinese or Japanese title line wrapped (a PDF's, set wide): the next line opens with what no
    line of its own opens with (、。」）ー), or, after a long line, with hiragana, as Japanese words
    and endings run on (方策につ / いて); an author or a subtitle opens otherwise."""
    first = line[:1]
    if not first or not _NO_SPACE.match(previous[-1:]) or FINAL_STOP.search(previous):
        return False
    if first in f"、，{FULL_WIDTH_ENDS}{CLOSERS}ー・…":
        return True
    return "\u3041" <= first <= "\u309f" and _width(previous) >= 40


# --- joining lines and hyphenation -------------------------------------------------------------


class _Vocabulary:
    """What the text itself says about its words: forms seen whole, with a hyphen, as prefixes."""

    def __init__(self, lines: list[_Line]) -> None:
        words: Counter[str] = Counter()
        hyphenated: Counter[str] = Counter()
        first_parts: Counter[str] = Counter()
        for line in lines:
            body = _HYPHEN_END.sub("", line.text)  # a line-end hyphen is exactly what is in doubt
            for match in _WORD.finditer(body):
                form = match.group().lower()
                if "-" in form:
                    hyphenated[form] += 1
                    first_parts[form.split("-")[0]] += 1
                    for part in form.split("-"):
                        words[part] += 1
                else:
                    words[form] += 1
        self.words, self.hyphenated, self.first_parts = words, hyphenated, first_parts

    def join_hyphen(self, left: str, right: str, lang: str) -> bool:
        """Keep the hyphen of ``left-`` + ``right`` (a compound) or drop it (a word split at the line end)?"""
        low_left, low_right = left.lower(), right.lower()
        if not right[:1].islower():
            return True  # "Trotskyite-Zinovievite", "German-Japanese", numbers
        if f"{low_left}-{low_right}" in self.hyphenated:
            return True
        if low_left + low_right in self.words:
            return False
        if low_left in _COMPOUND_PREFIXES or low_left in self.first_parts:
            return True
        if lang == "de":
            return False  # German writes compounds whole; a lower-case second part means a split word
        return low_left in self.words or low_right in self.words


_SPACES = re.compile(r"\s+")


def _one_space(match: re.Match[str]) -> str:
    """A run of spaces is one space, but an ideographic space ("第一章\u3000相遇") is the text's own."""
    return match.group() if set(match.group()) == {"\u3000"} else " "


def _join(lines: list[_Line], vocabulary: _Vocabulary, lang: str) -> tuple[str, list[int]]:
    """The paragraph's text, and for every character the source line it came from."""
    text = ""
    origins: list[int] = []
    for line in lines:
        piece = _SPACES.sub(_one_space, line.text)
        if text:
            hyphen = _HYPHEN_END.search(text) if text.endswith("-") else None
            if text.endswith(" -") and piece.startswith("-"):
                separator = ""
            elif hyphen and piece[:1].isalpha():
                right = _WORD.match(piece)
                keep = vocabulary.join_hyphen(hyphen.group(1), right.group() if right else piece, lang)
                if not keep:
                    text, origins = text[:-1], origins[:-1]
                separator = ""
            elif no_space_between(text, piece):
                separator = ""
            else:
                separator = " "
            text += separator
            origins.extend([origins[-1]] * len(separator))
        text += piece
        origins.extend([line.number] * len(piece))
    return text, origins
