"""Sentence segmentation per language, with maintained libraries and a thin protective layer.

The libraries were chosen by measuring them on the bundled texts (``benchmarks/segmenters.py``):
razdel for Russian (it knows «т. е.», «т. Сталин», «ЦК ВКП(б)»), syntok for English, French and
Spanish (initials, "U.S.S.R.", "i.e.", ". . ."), Punkt's trained models for German ("am 18. Mai")
and the other languages it has a model for, pysbd for the rest, Chinese and Japanese included.
The protective layer only merges pieces no sentence can start with (a lower-case word, a dash,
a stray run of dots), which every library produces now and then.

Full-width punctuation follows one rule set for its script family, whatever the language: a
closing quote or bracket (``”’」』）》``) stays with the sentence it closes, and a full-width end
(``。！？``, ``……``) followed by its closers and more text is a boundary (pysbd moves ``”`` to the next
sentence and never splits after ``。」``; on MAC-Dev's Chinese this lifts boundary F1 from 0.79 to 0.99).
A Japanese quote followed by its particle (``「…。」と言った``) goes on; a straight ``"`` after a stop
closes the sentence that opened it (Chinese typed with Latin punctuation); a stop glued to what follows,
behind an initial or a digit (``U.S.A.和``, ``１２．５元``), ends nothing. Korean, spaced, ends a sentence
with a Latin stop after Hangul and a space, inside quotes too (``“…한다. 이러한…”``), unless the quote
goes on with its verb (``“가자.” 하고 말했다``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from functools import cache
from itertools import pairwise

import punkt
import pysbd
import razdel
import syntok.segmenter as syntok_segmenter

from aligner.errors import AlignerError
from aligner.witness import SCRIPTS, Witness, pad, script_of

Span = tuple[int, int]

_PYSBD_LANGS = frozenset(pysbd.languages.LANGUAGE_CODES)
_SYNTOK_LANGS = frozenset({"en", "fr", "es"})
_RAZDEL_LANGS = frozenset({"ru", "uk", "be"})
_PUNKT_MODELS = {
    "de": "german", "cs": "czech", "da": "danish", "nl": "dutch", "et": "estonian", "fi": "finnish",
    "el": "greek", "it": "italian", "ml": "malayalam", "no": "norwegian", "nb": "norwegian",
    "pl": "polish", "pt": "portuguese", "sl": "slovene", "sv": "swedish", "tr": "turkish",
}  # fmt: skip
# Languages no library has rules for, split by the rules of one that writes sentence ends alike: Hebrew,
# Yiddish, Dhivehi, Syriac and Korean (Hangul between spaces) end sentences with ". ! ?" (English rules,
# whose abbreviations are Latin and never fire); Pashto, Sindhi and Kashmiri with Urdu's "۔"; Uyghur and
# Kurdish with Arabic's "؟".
_STAND_INS = {
    "he": "en", "yi": "en", "dv": "en", "syr": "en", "arc": "en", "ko": "en",
    "ps": "ur", "sd": "ur", "ks": "ur", "ug": "ar", "ku": "ar",
}  # fmt: skip
SUPPORTED_LANGS: frozenset[str] = (
    _PYSBD_LANGS | _SYNTOK_LANGS | _RAZDEL_LANGS | frozenset(_PUNKT_MODELS) | frozenset(_STAND_INS)
)

# A piece starting so continues the sentence before: a lower-case word (after a dash too), a comma, dots.
_CONTINUATION = re.compile(r"^[\s\"'«»„“”‘’(\[]*(?:[-–—]\s*)?(?:[a-zß-ÿа-яё]|[,;:]|\.(?:\s*\.)+)")
_UNCASED_LANGS = frozenset(
    {"zh", "ja", "ko", "ar", "fa", "ur", "hi", "mr", "am", "my", "hy", "kk", "he", "yi", "dv", "syr", "arc"}
    | {"ps", "sd", "ks", "ug"}
)

# Scripts written without spaces between words or sentences: Han, kana, their punctuation, full-width forms.
NO_SPACE_SCRIPT = (
    "\u2e80-\u2fdf\u3000-\u30ff\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
)
NO_SPACE_LANGS = frozenset({"zh", "ja"})  # languages written in that script, no space between sentences
CLOSERS = "”’」』）》〉】〕〗｣"
_NO_SPACE_CHAR = re.compile(rf"[{NO_SPACE_SCRIPT}]")
FULL_WIDTH_ENDS = "。！？｡．"  # ． the full-width point, the stop of Japanese academic writing
# A sentence end at the end of a text: a stop, then closing quotes and brackets.
FINAL_STOP = re.compile(rf"(?:[.!?…{FULL_WIDTH_ENDS}]|⋯)[\"'»”’)\]{CLOSERS}]*$")
# A piece opening with what closes the sentence before: a closing quote or bracket (not an elision like
# "’Tis"), or end marks a library cut off a run like "！？"; or a “ before a space, which closes a quotation
# opened by „ (German, Yiddish, Czech...): an opening “ never has a space after it.
_LEADING_CLOSE = re.compile(
    rf"(?:[{FULL_WIDTH_ENDS}!?…]*[{CLOSERS}]+(?![A-Za-z])|[{FULL_WIDTH_ENDS}!?]+|“(?=\s|$))"
)
# Where a sentence ends inside what a library kept whole: an end and the closers after it, before more
# text ("。」吾輩", "！”她"); or "……" before more text of a script written without spaces.
# Japanese quotes with a particle after the bracket: 「君は誰だ。」と彼は言った。 is one sentence
# (not とにかく "anyway", ところで "by the way", とても "very", which open one).
_QUOTATIVE = "と(?!にかく|ころで|ても)|って"
# Each run is taken whole from its start ((?<!…) and possessive ++): a line of 100,000 "…" once took minutes.
SCRIPT_BOUNDARY = re.compile(
    rf"(?:(?<![{FULL_WIDTH_ENDS}!?])[{FULL_WIDTH_ENDS}!?]++|(?<!…)…++|(?<!⋯)⋯++)[{CLOSERS}]++(?!{_QUOTATIVE})"
    rf"(?=[^\s{CLOSERS}{FULL_WIDTH_ENDS}!?…⋯，、,；;：:])"
    rf"|(?:(?<!…)…{{2,}}+|(?<!⋯)⋯{{2,}}+)(?![\s{CLOSERS}{FULL_WIDTH_ENDS}，、；：])(?=[{NO_SPACE_SCRIPT}“‘])"
    rf"|(?<!｡)｡++(?=[^\s{CLOSERS}{FULL_WIDTH_ENDS}])"  # the half-width ideographic stop, which pysbd ignores
    # A bare 。！？ before more text, inside brackets too: pysbd's Japanese rules never split within 「」,
    # so a quoted letter of seven sentences was one (Chinese “…。…。” was split; the rules follow the script).
    rf"|(?<![。！？])[。！？]++(?=[^\s{CLOSERS}{FULL_WIDTH_ENDS}!?…⋯，、,；;：:])"
)


def no_space_between(left: str, right: str) -> bool:
    """Chinese and Japanese put no space between words or sentences, nor where a line wraps: none is due
    where the text on either side of a break is of that script. Full-width punctuation is; other marks
    are looked past (``事……`` + ``”``, ``“你好。”`` + ``她说``)."""
    before = next((char for char in reversed(left) if char.isalnum() or _NO_SPACE_CHAR.match(char)), "")
    after = next((char for char in right if char.isalnum() or _NO_SPACE_CHAR.match(char)), "")
    return bool(_NO_SPACE_CHAR.match(before) or _NO_SPACE_CHAR.match(after))


def join_sentences(texts: list[str], lang: str) -> str:
    """Sentences as one text, as the language writes them: Chinese and Japanese without a space."""
    return ("" if lang.split("-")[0].lower() in NO_SPACE_LANGS else " ").join(texts)


def language_tag(lang: str) -> str:
    """``lang`` as the BCP 47 tag ``xml:lang`` and HTML's ``lang`` need, in its usual case: ``zh_TW`` is
    ``zh-TW``, ``JA`` is ``ja``, ``zh-hant-tw`` is ``zh-Hant-TW`` (an underscore made an invalid edition)."""
    check_lang(lang)
    parts = lang.strip().replace("_", "-").split("-")
    if not all(part.isascii() and part.isalnum() and len(part) <= 8 for part in parts):
        raise AlignerError(f"language code {lang!r} is not a language tag (like zh, zh-TW, zh-Hant)")
    tag = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            tag.append(part.title())  # a script: Hant, Latn
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            tag.append(part.upper())  # a region: TW, 419
        else:
            tag.append(part.lower())
    return "-".join(tag)


def check_lang(lang: str) -> str:
    """The language code, normalised (``EN`` and ``en-GB`` read as ``en``); unknown: a clear error."""
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    if code not in SUPPORTED_LANGS:
        known = ", ".join(sorted(SUPPORTED_LANGS))
        raise AlignerError(f"unknown language code {lang!r} (supported: {known})")
    return code


def split_sentences(text: str, lang: str) -> list[str]:
    """The sentences of ``text`` (a paragraph or more), stripped, in order."""
    return [text[start:end] for start, end in sentence_spans(text, lang)]


def sentence_spans(text: str, lang: str) -> list[Span]:
    """Character spans ``(start, end)`` of the sentences of ``text``: so callers can map them back."""
    code = check_lang(lang)
    spans = [_trim(text, start, end) for start, end in _backend(code)(text)]
    spans = _script_rules(text, [(start, end) for start, end in spans if start < end])
    if code not in _UNCASED_LANGS:
        spans = _merge_continuations(text, spans)
    return spans


def _backend(code: str) -> Callable[[str], list[Span]]:
    if code in _RAZDEL_LANGS:
        return _razdel_spans
    if code in _SYNTOK_LANGS:
        return _syntok_spans
    if code in _PUNKT_MODELS:
        return _punkt(code).span_tokenize
    return lambda text: _pysbd_spans(text, _STAND_INS.get(code, code))


def _razdel_spans(text: str) -> list[Span]:
    return [(piece.start, piece.stop) for piece in razdel.sentenize(text)]


def _syntok_spans(text: str) -> list[Span]:
    spans = []
    for paragraph in syntok_segmenter.analyze(text):
        for sentence in paragraph:
            if sentence:
                last = sentence[-1]
                spans.append((sentence[0].offset, last.offset + len(last.value)))
    return spans


@cache
def _punkt(code: str) -> punkt.PunktSentenceTokenizer:
    return punkt.PunktSentenceTokenizer(punkt.load_model(_PUNKT_MODELS[code]))


@cache
def _pysbd(code: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=code, clean=False)


def _pysbd_spans(text: str, code: str) -> list[Span]:
    """pysbd's pieces, found in order in ``text``. Its own ``char_span`` finds each piece by searching
    for it, and after a run of stops (``他走了。。。她``, ``！！！``) gives overlapping spans that drop a
    character; the pieces themselves are the text cut in order."""
    ends: list[int] = []
    for first, last in _chunks(text):
        position = first
        for piece in _pysbd(code).segment(text[first:last]):
            start = text.find(piece.strip(), position, last) if piece.strip() else -1
            if start >= 0:
                position = start + len(piece.strip())
                ends.append(position)
        ends.append(last)
    # Cut at the pieces' ends, so that no character is lost whatever pysbd does (spaces are trimmed later).
    edges = [0, *sorted(set(ends))]
    edges[-1] = len(text)
    return [(start, end) for start, end in pairwise(edges) if start < end]


# pysbd's time grows with the square of its input (64,000 characters of Chinese in one paragraph: 20 s).
_CHUNK = 2000
# A sure sentence end, where a long paragraph may be cut for pysbd: a stop no abbreviation uses, before a
# character that neither closes nor goes on with the sentence; a Latin stop between Chinese characters.
_SURE_END = re.compile(
    rf"(?<![。！？｡।؟۔])[。！？｡।؟۔]++(?=[^{CLOSERS}{FULL_WIDTH_ENDS}!?…⋯\s、，,；;：:]|\s)"
    rf"|(?<=[{NO_SPACE_SCRIPT}])[.!?]++(?=[{NO_SPACE_SCRIPT}])"
)
# A stop after a word and before a space: three Latin letters (not "Dr."), or a letter of another script
# (Hangul, Hebrew, Devanagari: "갔다. 왜?").
_SPACED_STOP = re.compile(r"(?:(?<=[A-Za-z]{3})|(?<=[^\W\d_A-Za-z]))[.!?]++[\"'»”’)]*+\s")


def _chunks(text: str) -> list[Span]:
    """``text`` in pieces of about ``_CHUNK`` characters, cut at sure sentence ends, else at a stop after a
    word, else (no sentence end in ``5 * _CHUNK`` characters: a blob, a table) at a space."""
    chunks, start = [], 0
    while len(text) - start > _CHUNK:
        limit = start + 5 * _CHUNK
        cut = _SURE_END.search(text, start + _CHUNK, limit) or _SPACED_STOP.search(
            text, start + _CHUNK, limit
        )
        if cut is not None:
            end = cut.end()
        elif len(text) <= limit:
            break
        else:
            space = max(text.rfind(" ", start + _CHUNK, limit), text.rfind("\u3000", start + _CHUNK, limit))
            end = space + 1 if space >= 0 else limit
        chunks.append((start, end))
        start = end
    chunks.append((start, len(text)))
    return chunks


def _trim(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _script_rules(text: str, spans: list[Span]) -> list[Span]:
    """Closing quotes stay with their sentence; a full-width end before more text ends a sentence."""
    kept: list[Span] = []
    for start, end in spans:
        if kept and _runs_on(text, kept[-1], start, end):
            kept[-1] = (kept[-1][0], end)
            continue
        lead = _LEADING_CLOSE.match(text, start, end) if kept else None
        if lead is None and kept and text[start] == '"' and text.count('"', *kept[-1]) % 2:
            lead = _STRAIGHT_CLOSE.match(text, start, end)  # the sentence before opened it: '他说:"你好.' '"'
        if lead and _ENDS_SENTENCE.search(text, kept[-1][0], kept[-1][1]):
            kept[-1] = (kept[-1][0], lead.end())
            start = _trim(text, lead.end(), end)[0]
        if start < end:
            kept.append((start, end))
    result: list[Span] = []
    for start, end in kept:
        for cut in _boundaries(text, start, end):
            result.append(_trim(text, start, cut))
            start = cut
        result.append(_trim(text, start, end))
    merged: list[Span] = []
    for start, end in result:  # a piece a boundary rule left without a letter ("……" before "他笑了")
        if merged and not any(char.isalnum() for char in text[start:end]):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _boundaries(text: str, start: int, end: int) -> list[int]:
    """Where sentences end inside ``text[start:end]``: a full-width end and its closers before more text,
    a stop and a straight quote closing it before Chinese or Japanese ('再见!"他走了'), a stop after
    Hangul or Hebrew letters before a space (Korean, Hebrew and Yiddish, split by pysbd's English rules,
    which never split within quotes), a stop and a closing “ before a new sentence (German „…“)."""
    cuts = [match.end() for match in SCRIPT_BOUNDARY.finditer(text, start, end)]
    cuts += [match.end() for match in _SPACED_STOP_BOUNDARY.finditer(text, start, end)]
    cuts += [match.end() for match in _LOW_HIGH_BOUNDARY.finditer(text, start, end)]
    quotes, counted = 0, start  # quotes counted as the matches go: linear on a long paragraph
    for match in _STRAIGHT_BOUNDARY.finditer(text, start, end):
        quotes, counted = quotes + text.count('"', counted, match.end()), match.end()
        if quotes % 2 == 0:  # the quote closes: it is not '他说."你好'
            cuts.append(match.end())
    return sorted(cut for cut in set(cuts) if cut < end)


# Korean ends a sentence with ". ! ?" and a space, inside quotes too: a letter of several sentences in
# “…” was one sentence (pysbd keeps a quotation whole). A quote closed before 하고, 라고 ("“가자.” 하고
# 말했다") goes on, as Japanese 「…。」と does; so do "…" and "..." (Korean trails off with them).
# Hebrew and Yiddish are split by the same English rules and keep a quotation whole the same way.
_HANGUL_HEBREW = "\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f\u0591-\u05f4"
_KOREAN_QUOTATIVE = "하(?:고|며|면서|는|니|자|더니|였|여|던)|했|한다|라(?:고|며|는)"
_SPACED_STOP_BOUNDARY = re.compile(
    rf"(?<=[{_HANGUL_HEBREW}])(?:\.(?!\.)|[!?]++)(?:[{CLOSERS}\"'»)\]]++(?=\s++(?!{_KOREAN_QUOTATIVE}))|(?=\s))"
)
# A stop and the “ that closes a quotation opened by „ (German, Yiddish, Czech...), before a capital or a
# letter of a script without case: 'Es ist spät.“ Dann ging er.' is two sentences, which Punkt and pysbd
# missed (the “ looks like an opening quote to them). 'sagte: „Geh!“ und ging' runs on.
_LOW_HIGH_BOUNDARY = re.compile(r"[.!?…]“(?=\s+[A-ZÀ-ÖØ-ÞĀ-ſА-ЯЁ\u0591-\u05f4])")
_ENDS_SENTENCE = re.compile(rf"[.!?…{FULL_WIDTH_ENDS}][\"'»{CLOSERS})\]]*$")
_STRAIGHT_CLOSE = re.compile(r'"')
_STRAIGHT_BOUNDARY = re.compile(
    rf'(?<![.!?…{FULL_WIDTH_ENDS}])[.!?…{FULL_WIDTH_ENDS}]++"(?=[{NO_SPACE_SCRIPT}])'
)
_AFTER_QUOTE = re.compile(rf"[{CLOSERS}]$")
_PARTICLE = re.compile(_QUOTATIVE)
# A stop with no space after it, behind a single Latin letter or a digit, ends no sentence: "U.S.A.和",
# "J.K.罗琳", "１２．５元" (pysbd splits there in Chinese and Japanese; a sentence end is "。" or ". ").
_INITIAL_OR_NUMBER = re.compile(r"(?:(?<![A-Za-zＡ-Ｚａ-ｚ])[A-Za-zＡ-Ｚａ-ｚ]|[0-9０-９])[.．]$")


def _runs_on(text: str, before: Span, start: int, end: int) -> bool:
    """Does the piece at ``start`` continue the sentence ``before`` that a library cut off? A piece
    without a letter or digit (``……`` after ``传奇中的传奇。”``) is no sentence of its own."""
    if not any(char.isalnum() for char in text[start:end]):
        return True
    if _AFTER_QUOTE.search(text, *before) and _PARTICLE.match(text, start):
        return True
    glued = before[1] == start and start < len(text) and not text[start].isspace()
    return glued and bool(_INITIAL_OR_NUMBER.search(text, *before)) and text[start] not in "\"'"


def _merge_continuations(text: str, spans: list[Span]) -> list[Span]:
    """Join a piece that cannot start a sentence to the one before it."""
    merged: list[Span] = []
    for start, end in spans:
        if merged and _CONTINUATION.match(text[start:end]):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


_SAMPLE = 20_000  # letters: enough to tell a script, cheap on a whole book
# A Chinese character says as much as three Latin letters (MAC-Dev's English is 2.9 times as long as its
# Chinese), a kana or Hangul syllable as two: counted so, Chinese with English terms in it ("我们用BERT做
# fine-tuning") is not "mostly Latin".
_LETTERS_WORTH = {"CJK": 3, "HIRAGANA": 2, "KATAKANA": 2, "HANGUL": 2}


def script_mismatch(texts: list[str], lang: str, least: int = 20) -> str | None:
    """What the text's letters say against its declared language: English declared ``ru`` is mostly
    Latin, not Cyrillic. ``None`` when they agree (or fewer than ``least`` letters to tell); a warning,
    not an error, since quotations and names in other scripts are normal."""
    code = check_lang(lang)
    expected = SCRIPTS.get(code, ("LATIN",))
    counts: Counter[str] = Counter()
    for text in texts:
        for char in text:
            if char.isalpha():
                script = script_of(char)
                counts[script] += _LETTERS_WORTH.get(script, 1)
        if counts.total() >= _SAMPLE:
            break
    total = counts.total()
    if total < least or sum(counts[script] for script in expected) * 2 >= total:
        return None
    found = counts.most_common(1)[0][0]
    names = " or ".join(_script_name(script) for script in expected)
    return f"declared {code!r} ({names}), but its letters are mostly {_script_name(found)}"


def _script_name(script: str) -> str:
    return "Chinese characters" if script == "CJK" else script.title()


def witness_json(witness: Witness) -> str:
    """The segmented witness as JSON: blocks with kind and label, segments with id and source lines."""
    ids = iter(witness.segment_ids())
    record = {
        "id": witness.id,
        "lang": witness.lang,
        "title": witness.meta.title,
        "files": list(witness.meta.files),
        "blocks": [
            {
                "kind": block.kind,
                "label": block.label,
                "segments": [
                    {
                        "id": next(ids),
                        "text": segment.text,
                        "file": segment.file,
                        "line_start": segment.line_start,
                        "line_end": segment.line_end,
                    }
                    | ({"page": segment.page} if segment.page else {})
                    for segment in block.segments
                ],
            }
            for block in witness.blocks
        ],
    }
    return json.dumps(record, ensure_ascii=False, indent=2) + "\n"


def witness_lines(witness: Witness) -> str:
    """One sentence per line, a blank line between blocks: the presegmented format, read back as is."""
    return "\n\n".join("\n".join(s.text for s in block.segments) for block in witness.blocks) + "\n"


def listing(witness: Witness) -> list[str]:
    """What ``aligner segment`` shows: every sentence with its source lines, block kinds and labels."""
    rows: list[str] = []
    current_file = None
    for block in witness.blocks:
        for position, segment in enumerate(block.segments):
            if segment.file != current_file:
                current_file = segment.file
                rows.append(f"== {current_file}")
            lines = str(segment.line_start)
            if segment.line_end != segment.line_start:
                lines += f"-{segment.line_end}"
            kind = f"{block.kind} {block.label}".strip() if position == 0 else ""
            rows.append(f"{lines:>9}  {pad(kind, 12)} {segment.text}")
    counts = Counter(block.kind for block in witness.blocks)
    summary = ", ".join(f"{counts[kind]} {kind}" for kind in sorted(counts))
    rows.append(f"{witness.id} ({witness.lang}): {len(witness.segments)} sentences in {summary} blocks")
    return rows
