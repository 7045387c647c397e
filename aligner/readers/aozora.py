"""Aozora Bunko plain text, taken apart before the plain-text cleaning.

Japanese scholars mostly bring texts from Aozora Bunko (青空文庫), whose plain-text files carry their own
markup: ruby readings ``吾輩《わがはい》`` (``｜`` marking where the ruby's base starts), editor's notes
``［＃…］`` (indents, page breaks, emphasis, headings, characters outside JIS:
``※［＃…、第3水準1-85-25］``), accented Latin letters spelled out in ``〔…〕`` (``〔ve'rite'〕``), the
repeat mark of vertical writing as ``／＼``, a header (title, author, then a block explaining these
symbols between two rules of dashes) and a colophon from ``底本：`` on. A file is taken for Aozora's by
that block or that colophon, never by its language: in Chinese ``《》`` marks a book's title and stays.

``take_apart`` gives the body as the book prints it (markup out, line numbers kept, the lines its notes
mark as headings marked) with the header's title and author; ``aligner.ingest`` then cleans and
segments the body as any plain text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import NamedTuple

from aligner.segment import FINAL_STOP
from aligner.witness import Block, Segment

_AOZORA_RULE = re.compile(r"^-{20,}$")
_AOZORA_SYMBOLS = ("【テキスト中に現れる記号について】", "《》：ルビ", "［＃］：入力者注")
_AOZORA_SOURCE = "底本："
_RUBY = re.compile(r"《[^《》]*》")
_RUBY_START = "｜"
_NOTE = re.compile(r"［＃[^］]*］")
_GAIJI = re.compile(r"※(［＃[^］]*］)")
_GAIJI_UNICODE = re.compile(r"U\+([0-9A-Fa-f]{4,6})")
_GAIJI_JIS = re.compile(r"第[34]水準([12])-(\d{1,2})-(\d{1,2})")
# ``一［＃「一」は中見出し］`` (大, 中, 小): the line is a heading. A run-in (``同行``) or window (``窓``)
# heading runs on into the text: ``原因［＃「原因」は同行中見出し］　でありまして…``. The quoted text may hold
# brackets of its own (``［＃「「いき」の構造」は大見出し］``), hence ``.+?`` up to ``」は``.
_HEADING_NOTE = re.compile(r"［＃「(.+?)」は(同行|窓)?[大中小]見出し］")
_HEADING_SPAN = re.compile(r"［＃(同行|窓|)([大中小])見出し］(.*?)［＃\1\2見出し?終わり］")
_HEADING_OPEN = re.compile(r"^［＃ここから[大中小]見出し］$")
_HEADING_CLOSE = re.compile(r"^［＃ここで[大中小]見出し終わり］$")
# くの字点, the two-character repeat mark of vertical writing, typed as two slants (one with a dakuten).
_KUNOJITEN = (("／″＼", "〴〵"), ("／＼", "〳〵"))
# アクセント分解: in ``〔…〕``, a Latin letter followed by a mark is the letter with that accent (Aozora's
# table, https://www.aozora.gr.jp/accent_separation.html): ``'`` acute, ``` ` ``` grave, ``^`` circumflex,
# ``~`` tilde, ``:`` diaeresis, ``&`` ring, ``,`` cedilla, ``_`` macron, ``/`` stroke, and the ligatures.
_ACCENT_SPAN = re.compile(r"〔([^〔〕]*)〕")
_ACCENT_MARKS = dict(zip("'`^~:&,_", "\u0301\u0300\u0302\u0303\u0308\u030a\u0327\u0304", strict=True))
_ACCENT_BASES = {
    "'": "aeiouyAEIOUY",  # not c n s z l r m: French elisions (l'on, n'est, s'il, c'est) are far commoner
    "`": "aeiouAEIOU",
    "^": "aeiouAEIOUcghjsCGHJS",
    "~": "aeinouAEINOU",
    ":": "aeiouyAEIOUY",
    "&": "auAU",
    ",": "cstCST",
    "_": "aeiouAEIOU",
}
_ACCENTS = {
    base + mark: unicodedata.normalize("NFC", base + _ACCENT_MARKS[mark])
    for mark, bases in _ACCENT_BASES.items()
    for base in bases
}
_ACCENTS |= dict(zip(["o/", "O/", "d/", "D/", "l/", "L/", "h/", "H/"], "øØđĐłŁħĦ", strict=True))
_ACCENTS |= {"ae&": "æ", "AE&": "Æ", "oe&": "œ", "OE&": "Œ", "s&": "ß"}


class SourceLine(NamedTuple):
    """A line of the file: its number, its text as printed, and whether the source marks it as a
    heading (a run-in heading is a line of its own, the text after it another line of the same number)."""

    number: int
    raw: str
    heading: bool = False

    @property
    def text(self) -> str:
        return self.raw.strip()


@dataclass
class Aozora:
    """An Aozora Bunko file taken apart: its header lines, its body cleaned of markup (header and
    colophon blanked, line numbers kept, the lines its notes mark as headings marked), and what was
    removed."""

    header: list[SourceLine]
    body: list[SourceLine]
    source: str
    symbols: bool
    ruby: int
    notes: int

    def removed(self) -> str:
        """What the cleaning took out, for the note that tells the user."""
        parts = ["its notes on symbols"] if self.symbols else []
        parts += [f"{self.ruby} ruby reading(s)", f"{self.notes} editor's note(s)"]
        if self.source:
            parts.append("its colophon (底本：…)")
        return "removed " + ", ".join(parts[:-1]) + " and " + parts[-1]

    def title_blocks(self, file: str, first_file: bool) -> list[Block]:
        """Title and author, each a title line; a later file's title a heading (a volume of the work)."""
        segments = [Segment(line.text, file, line.number, line.number) for line in self.header]
        if not first_file:
            return [Block("heading", tuple(segments[:1]))] if segments else []
        return [Block("title", (segment,)) for segment in segments]

    def meta(self) -> dict[str, str]:
        """Title, author, translator (a last line ending in 訳) and source (the 底本) the file names."""
        names = [line.text for line in self.header]
        found = {"source": self.source}
        if names:
            found["title"] = names[0]
        if len(names) > 1 and names[-1].endswith("訳"):
            found["translator"] = names.pop()[:-1].strip()
        if len(names) > 1:
            found["author"] = names[-1]
        return found


def take_apart(numbered: Sequence[tuple[int, str]]) -> Aozora | None:
    """The file's lines (number, text) taken apart as Aozora Bunko's, or ``None`` if it has neither its
    symbol block nor its colophon (``底本：`` with ``青空文庫`` after it)."""
    lines = [SourceLine(number, raw) for number, raw in numbered]
    texts = [line.text for line in lines]
    block = _symbol_block(texts)
    source_at = next((i for i in range(len(texts) - 1, -1, -1) if texts[i].startswith(_AOZORA_SOURCE)), None)
    if source_at is not None and not any("青空文庫" in text for text in texts[source_at:]):
        source_at = None
    if block is None and source_at is None:
        return None
    end = len(lines) if source_at is None else source_at
    if block is not None:
        header_end, body_start = block
    else:  # no symbol block (a text without ruby): the title lines before the first blank line
        header_end = next((i for i, text in enumerate(texts) if not text), 0)
        if header_end > 4 or any(FINAL_STOP.search(text) for text in texts[:header_end]):
            header_end = 0
        body_start = header_end
    ruby = notes = 0
    in_heading = False
    cleaned: list[SourceLine] = []
    for index, line in enumerate(lines):
        if index >= end or index < body_start:  # the header, the symbol block, the colophon
            cleaned.append(SourceLine(line.number, ""))
            continue
        if _HEADING_OPEN.match(line.text) or _HEADING_CLOSE.match(line.text):
            in_heading = bool(_HEADING_OPEN.match(line.text))
        ruby += len(_RUBY.findall(line.raw))
        marked = _as_printed(line.raw)
        notes += len(_NOTE.findall(marked))
        raw = _NOTE.sub("", marked)
        heading = raw.strip() if in_heading else _heading(marked, raw.strip())
        if not heading:
            cleaned.append(SourceLine(line.number, raw))
        elif heading == raw.strip():
            cleaned.append(SourceLine(line.number, raw, heading=True))
        else:  # a run-in or window heading: the text after it goes on as the line's own
            cleaned.append(SourceLine(line.number, heading, heading=True))
            cleaned.append(SourceLine(line.number, raw.strip()[len(heading) :]))
    header = [SourceLine(line.number, _without_markup(line.raw)) for line in lines[:header_end]]
    source = texts[source_at][len(_AOZORA_SOURCE) :].strip() if source_at is not None else ""
    return Aozora(
        header=[line for line in header if line.text],
        body=cleaned,
        source=source,
        symbols=block is not None,
        ruby=ruby,
        notes=notes,
    )


def _heading(marked: str, text: str) -> str:
    """The heading that a note marks at the start of the line (``text``, the line without its notes),
    or ``""``: the whole line for a heading, its start for a run-in or window one. A run-in heading in
    the middle of a line is left in the sentence it belongs to."""
    quoted = [match.group(1) for match in _HEADING_NOTE.finditer(marked)]
    quoted += [_NOTE.sub("", match.group(3)).strip() for match in _HEADING_SPAN.finditer(marked)]
    if text in quoted:
        return text
    run_in = [match.group(1) for match in _HEADING_NOTE.finditer(marked) if match.group(2)]
    run_in += [_NOTE.sub("", m.group(3)).strip() for m in _HEADING_SPAN.finditer(marked) if m.group(1)]
    return next((heading for heading in run_in if heading and text.startswith(heading)), "")


def _as_printed(raw: str) -> str:
    """The line as the book prints it, its notes aside: ruby readings out, and in the characters that
    Aozora's notations stand for (a character a note names, accented Latin letters, くの字点); the other
    notes (headings, indents) still there to read."""
    text = _GAIJI.sub(_gaiji, _RUBY.sub("", raw).replace(_RUBY_START, ""))
    for typed, mark in _KUNOJITEN:
        text = text.replace(typed, mark)
    return _ACCENT_SPAN.sub(_accented, text)


def _without_markup(raw: str) -> str:
    return _NOTE.sub("", _as_printed(raw))


def _accented(match: re.Match[str]) -> str:
    """``〔…〕`` with its accent notation composed (``〔ve'rite'〕`` is ``vérité``), brackets left out; kept
    as it is when it holds no notation and is not Latin text: then it is a bracket of the book's own
    (``〔本全集第一巻所収〕``)."""
    inner = match.group(1)
    composed = _compose_accents(inner)
    latin = any(char.isalpha() for char in inner) and all(ord(char) < 0x250 for char in inner)
    return composed if composed != inner or latin else match.group()


def _compose_accents(text: str) -> str:
    """Aozora's accent decomposition read back, as its own converter does, except where the mark is
    plainly punctuation: ``,`` and ``:`` compose only before a letter (``garc,on``, ``Noe:l``; not
    ``mais,`` or ``dit:``), ``:`` also at the end, and ``qu'`` is French elision, never ``qú``."""
    out: list[str] = []
    at = 0
    while at < len(text):
        for size in (3, 2):
            key = text[at : at + size]
            if key in _ACCENTS and _composes(text, at, key):
                out.append(_ACCENTS[key])
                at += size
                break
        else:
            out.append(text[at])
            at += 1
    return "".join(out)


def _composes(text: str, at: int, key: str) -> bool:
    after = text[at + len(key) : at + len(key) + 1]
    if key[-1] == ",":
        return after.isalpha()
    if key[-1] == ":":
        return after.isalpha() or not after
    return not (key in ("u'", "U'") and text[at - 1 : at] in ("q", "Q"))


def _symbol_block(texts: list[str]) -> tuple[int, int] | None:
    """Where the block explaining the symbols starts and where the text after it does: two rules of
    dashes near the top with Aozora's explanation between them."""
    rules = [i for i, text in enumerate(texts[:200]) if _AOZORA_RULE.match(text)]
    for first, second in pairwise(rules):
        if first < 20 and any(mark in text for text in texts[first:second] for mark in _AOZORA_SYMBOLS):
            return first, second + 1
    return None


def _gaiji(match: re.Match[str]) -> str:
    """A character outside Shift-JIS, given by its Unicode code point or its JIS X 0213 plane-row-cell
    (``※［＃「言＋墟のつくり」、第4水準2-88-74］`` is 譃); ``※`` where the note names neither."""
    note = match.group(1)
    code = _GAIJI_UNICODE.search(note)
    if code:
        return chr(int(code.group(1), 16))
    jis = _GAIJI_JIS.search(note)
    if jis:
        plane, row, cell = (int(group) for group in jis.groups())
        encoded = bytes([0xA0 + row, 0xA0 + cell])
        try:
            return (b"\x8f" + encoded if plane == 2 else encoded).decode("euc_jis_2004")
        except UnicodeDecodeError:
            pass
    return match.group()
