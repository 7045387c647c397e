"""The parallel edition: all witnesses, their alignment with the pivot, and its history, as TEI P5.

An ``Edition`` is what ``aligner align`` writes and what ``aligner review`` reads, changes and
writes back. The TEI layout (documented with an example in ``docs/tei.md``):

- ``teiHeader``: the edition's title, one ``respStmt`` per agent (the tool and each reviewer),
  a ``listWit`` describing every witness from the manifest, the model and parameters in
  ``encodingDesc/appInfo/application[@ident="aligner"]``, the languages, and a ``revisionDesc``;
- ``text/group``: one ``text`` per witness, pivot first, with ``div``/``head``/``p`` for its blocks
  and every sentence an ``<s xml:id="WITNESS.sN" source="FILE#Lstart-Lend">``;
- ``standOff``: one ``linkGrp type="alignment"`` per other witness: a ``link`` per bead with
  counterparts on both sides, a ``ptr`` per bead with no counterpart (a TEI ``link`` needs two
  targets), confidence in ``@cert``, reviewer in ``@resp``, reviewer's notes as ``note[@target]``.
"""

from __future__ import annotations

import copy
import hashlib
import math
import os
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from urllib.parse import quote, unquote

from lxml import etree

from aligner.alignment import REVIEW_THRESHOLD, Bead, PairAlignment
from aligner.errors import AlignerError
from aligner.files import read_bytes, write_atomic
from aligner.witness import PUBLICATION_FIELDS, Block, Segment, Witness, WitnessMeta, written_in


@dataclass(frozen=True)
class Change:
    """One entry of the ``revisionDesc``: who did what, when (ISO 8601)."""

    who: str
    when: str
    what: str


def now() -> str:
    """ISO 8601 UTC time of a change; ``$ALIGNER_NOW`` fixes it (reproducible tests and demos)."""
    fixed = os.environ.get("ALIGNER_NOW")
    if fixed:
        return fixed
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def realignment_changes(
    kept: int, dropped: Sequence[str], what: str, when: str | None = None
) -> list[Change]:
    """History entries of an alignment made again: one for the alignment, one per dropped review."""
    when = when or now()
    kept_text = f"; kept {kept} reviewed link(s) as fixed" if kept else ""
    return [Change("aligner", when, f"{what}{kept_text}"), *(Change("aligner", when, m) for m in dropped)]


@dataclass
class Edition:
    """A pivot, the other witnesses, one pair alignment per other witness (same order), and history.

    ``publication`` (keys of ``PUBLICATION_FIELDS``) is what the manifest or the command line says about
    the edition itself; empty, the publicationStmt and titleStmt authors already in ``kept`` stay.
    ``kept`` is the TEI document the edition was read from: the scholar's own parts of it (header
    additions, notes, front and back matter) are carried over to every write (see ``_carry_over``).
    """

    title: str
    pivot: Witness
    witnesses: list[Witness]
    alignments: list[PairAlignment]
    model: str = ""
    parameters: dict[str, str] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    publication: dict[str, str] = field(default_factory=dict)
    kept: etree._Element | None = field(default=None, compare=False, repr=False)

    @property
    def review_threshold(self) -> float:
        """The review threshold the edition was made with (its ``review_threshold`` parameter); the
        default for an edition that records none."""
        text = self.parameters.get(REVIEW_PARAMETER)
        if text is None:
            return REVIEW_THRESHOLD
        try:
            threshold = float(text)
        except ValueError:
            threshold = math.nan
        if not 0.0 <= threshold <= 1.0:
            raise AlignerError(
                f"edition parameter {REVIEW_PARAMETER} {text!r} is not a number between 0 and 1"
            )
        return threshold


REVIEW_PARAMETER = "review_threshold"
TEI = "http://www.tei-c.org/ns/1.0"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TOOL = "aligner"
SCHEMA_ENV = "ALIGNER_TEI_SCHEMA"
SCHEMA_URL = "https://tei-c.org/release/xml/tei/custom/schema/relaxng/tei_all.rng"
CHECKOUT = Path(__file__).resolve().parents[1]  # the repository, when running from a checkout
_NS = {"t": TEI}
# Characters XML 1.0 cannot carry at all (C0 controls but tab/LF/CR, U+FFFE/FFFF, lone surrogates),
# and the DEL and C1 controls it allows but discourages (XML 1.0 section 2.2): never text, only stray bytes.
# Unicode noncharacters too (U+FDD0..FDEF, U+nFFFE/nFFFF), which XML discourages and HTML parsers reject.
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    chr(plane * 0x10000 + end) for plane in range(1, 17) for end in (0xFFFE, 0xFFFF)
)
_NOT_XML = re.compile(f"[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[{_NONCHARACTERS}]")
_W3C_DATE = re.compile(r"-?\d{4}(-\d{2}(-\d{2})?)?")
_W3C_DATETIME = re.compile(r"-?\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?")
_SOURCE = re.compile(r"(.*)#L(-?\d+)-L(-?\d+)")
_LANGUAGES = {
    "ar": "Arabic", "de": "German", "en": "English", "es": "Spanish", "fa": "Persian",
    "fr": "French", "he": "Hebrew", "it": "Italian", "ja": "Japanese", "ko": "Korean", "pl": "Polish",
    "pt": "Portuguese", "ru": "Russian", "uk": "Ukrainian", "yi": "Yiddish", "zh": "Chinese",
}  # fmt: skip
_SEGMENTATION = (
    "Each witness was cleaned (OCR line breaks, hyphenation, running heads and page numbers removed), "
    "divided into blocks (title, headings, numbered points, paragraphs, source lines) and each block "
    "split into sentences. Every sentence is an s element whose xml:id is the witness id, '.s' and its "
    "number in reading order from 1 (or the xml:id it already had in a TEI witness), and whose source "
    "attribute gives the file and the 1-based line range it comes from (FILE#Lstart-Lend)."
)
_NORMALIZATION = (
    "Control characters were removed from the texts and metadata: those XML 1.0 cannot represent (C0 "
    "controls other than tab, line feed and carriage return, U+FFFE, U+FFFF, unpaired surrogates) and those "
    "it discourages (DEL, the C1 controls U+0080 to U+009F, and the Unicode noncharacters)."
)
_ALIGNMENT = (
    "Alignment: one linkGrp of type 'alignment' per witness, in the standOff. A link's target lists its "
    "pivot sentences, then its witness sentences, and its type is 'M-N' (M pivot sentences, N witness "
    "sentences); a sentence without counterpart (1-0, 0-1) is a ptr. The cert attribute is the "
    "confidence (0 to 1), resp the reviewer who fixed the link by hand. A link's xml:id is the witness "
    "id, then 'p' and the numbers of its pivot sentences, then 'w' and those of its witness sentences "
    "(en-1937.p3-4.w3): it names those sentences and no others, whatever is reviewed."
)


def xml_safe(text: str) -> str:
    """Remove the control characters XML forbids or discourages (NUL, form feed, DEL, C1): stray bytes.

    Every character ``_NOT_XML`` removes is unprintable, so printable text (nearly all of it) skips
    the regex: writing a 50,000-link edition calls this a million times."""
    return text if text.isprintable() else _NOT_XML.sub("", text)


def tool_version() -> str:
    try:
        return metadata.version("aligner")
    except metadata.PackageNotFoundError:
        return "0.0.0"


# ---------------------------------------------------------------------------------------- writing


_ATTRIBUTES = {"xml_id": XML_ID, "xml_lang": XML_LANG}


def _el(parent: etree._Element | None, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    name = f"{{{TEI}}}{tag}"
    node = etree.Element(name, nsmap={None: TEI}) if parent is None else etree.SubElement(parent, name)
    for key, value in attrs.items():
        node.set(_ATTRIBUTES.get(key, key), xml_safe(value))
    if text is not None:
        node.text = xml_safe(text)
    return node


def language_name(lang: str) -> str:
    return _LANGUAGES.get(lang.split("-")[0].lower(), lang)


_ID_CHARACTERS = (
    "A-Za-z0-9_.\\-\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0391-\u03a1\u03a3-\u03c9\u0401\u0410-\u044f"
    "\u0451\u3041-\u3094\u30a1-\u30fa\u4e00-\u9fa5\uac00-\ud7a3"
)
"""What an xml:id made from a person's name keeps: Latin, Greek, Cyrillic, kana, CJK and Hangul letters
that XML 1.0 allows in names by its 4th edition as by its 5th (Jing checks by the older one), so that a
reviewer 张三 or Иванов gets ``resp.张三``, not ``resp.anonymous``."""


def _slug(name: str) -> str:
    slug = re.sub(f"[^{_ID_CHARACTERS}]+", "_", name).strip("_.-")
    return slug or "anonymous"


def _agents(edition: Edition) -> dict[str, str]:
    """xml:id of a respStmt for the tool and every reviewer or change author, in a fixed order."""
    names = [TOOL]
    for alignment in edition.alignments:
        names += [bead.resp for bead in alignment.beads if bead.resp is not None]
    names += [change.who for change in edition.changes]
    ids: dict[str, str] = {}
    for name in dict.fromkeys(names):
        base = f"resp.{_slug(name)}"
        candidate, n = base, 2
        while candidate in ids.values():
            candidate, n = f"{base}.{n}", n + 1
        ids[name] = candidate
    return ids


def _bibl(parent: etree._Element, meta: WitnessMeta) -> None:
    witness = _el(parent, "witness", corresp=f"#{meta.id}")
    bibl = _el(witness, "bibl", type=meta.role)

    def lang(text: str) -> dict[str, str]:
        """``xml:lang`` for a title or name in the witness's script: the header's own language is
        English (``TEI/@xml:lang``), and a Chinese title left untagged is declared English."""
        return {"xml_lang": meta.lang} if meta.lang != "en" and written_in(text, meta.lang) else {}

    if meta.title:
        _el(bibl, "title", meta.title, **lang(meta.title))
    if meta.author:
        _el(bibl, "author", meta.author, **lang(meta.author))
    if meta.translator:
        _el(bibl, "editor", meta.translator, role="translator", **lang(meta.translator))
    if meta.publisher:
        _el(bibl, "publisher", meta.publisher, **lang(meta.publisher))
    if meta.date:
        date = xml_safe(meta.date)
        attrs = {"when": date} if _W3C_DATE.fullmatch(date) else {}
        _el(bibl, "date", meta.date, **attrs)
    if meta.source:
        _el(bibl, "note", meta.source, type="source")
    for name in meta.files:
        _el(bibl, "idno", name, type="file")
    _el(bibl, "textLang", language_name(meta.lang), mainLang=meta.lang)


_LICENCES = {
    "cc0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "cc by": "https://creativecommons.org/licenses/by/4.0/",
    "cc by-sa": "https://creativecommons.org/licenses/by-sa/4.0/",
    "cc by-nc": "https://creativecommons.org/licenses/by-nc/4.0/",
    "cc by-nd": "https://creativecommons.org/licenses/by-nd/4.0/",
    "cc by-nc-sa": "https://creativecommons.org/licenses/by-nc-sa/4.0/",
    "cc by-nc-nd": "https://creativecommons.org/licenses/by-nc-nd/4.0/",
}


def licence_url(licence: str) -> str | None:
    """The address of a licence given by address or by its Creative Commons name (``CC BY 4.0``)."""
    if re.match(r"https?://", licence):
        return licence
    name = re.sub(r"[\s_]+", " ", licence.strip().lower())
    name = re.sub(r"[ -]?4\.0$", "", name)
    if name.startswith(("cc ", "cc-")):
        name = "cc " + name[3:].strip().replace(" ", "-")
    return _LICENCES.get(name)


def _publication(file_desc: etree._Element, publication: dict[str, str]) -> None:
    """publicationStmt: publisher, place, date and licence when given, else a sentence naming the tool.

    TEI wants an agency (publisher, distributor or authority) before the details: with details but no
    publisher, the edition's ``authority`` is the tool's user, unnamed, so the details are still said.
    """
    statement = _el(file_desc, "publicationStmt")
    details = {key: publication.get(key, "") for key in ("place", "date", "licence")}
    if not publication.get("publisher") and not any(details.values()):
        _el(statement, "p", f"Parallel edition generated by {TOOL} {tool_version()}.")
        return
    if publication.get("publisher"):
        _el(statement, "publisher", publication["publisher"])
    else:
        _el(statement, "authority", "the editors named in the title statement")
    if details["place"]:
        _el(statement, "pubPlace", details["place"])
    if details["date"]:
        date = xml_safe(details["date"])
        _el(statement, "date", details["date"], **({"when": date} if _W3C_DATE.fullmatch(date) else {}))
    if details["licence"]:
        url = licence_url(details["licence"])
        availability = _el(statement, "availability")
        _el(availability, "licence", details["licence"], **({"target": url} if url else {}))


def _header(root: etree._Element, edition: Edition, agents: dict[str, str]) -> None:
    header = _el(root, "teiHeader")
    file_desc = _el(header, "fileDesc")
    title_stmt = _el(file_desc, "titleStmt")
    _el(title_stmt, "title", edition.title)
    if edition.publication.get("author"):
        _el(title_stmt, "author", edition.publication["author"])
    for name, agent_id in agents.items():
        stmt = _el(title_stmt, "respStmt", xml_id=agent_id)
        _el(stmt, "resp", "automatic sentence alignment" if name == TOOL else "alignment review and revision")
        _el(stmt, "name", name)
    _publication(file_desc, edition.publication)
    list_wit = _el(_el(file_desc, "sourceDesc"), "listWit")
    for witness in [edition.pivot, *edition.witnesses]:
        _bibl(list_wit, witness.meta)

    encoding = _el(header, "encodingDesc")
    application = _el(_el(encoding, "appInfo"), "application", ident=TOOL, version=tool_version())
    _el(application, "label", TOOL)
    model = _el(application, "p", "Sentence embedding model: ")
    _el(model, "name", edition.model, type="model")
    if edition.parameters:
        para = _el(application, "p", "Parameters:")
        items = _el(para, "list", type="parameters")
        for key in sorted(edition.parameters):
            _el(items, "item", str(edition.parameters[key]), n=key)
    _el(application, "p", _ALIGNMENT)
    decl = _el(encoding, "editorialDecl")
    _el(_el(decl, "normalization"), "p", _NORMALIZATION)
    _el(_el(decl, "segmentation"), "p", _SEGMENTATION)

    usage = _el(_el(header, "profileDesc"), "langUsage")
    for lang in dict.fromkeys(w.lang for w in [edition.pivot, *edition.witnesses]):
        _el(usage, "language", language_name(lang), ident=lang)

    revisions = _el(header, "revisionDesc")
    if not edition.changes:  # a revisionDesc all the same; no date, so that the output stays deterministic
        what = f"Aligned by {TOOL}; not reviewed yet."
        _el(revisions, "change", what, type="generated", who=f"#{agents[TOOL]}")
    else:
        for change in edition.changes:
            when = xml_safe(change.when)
            if not _W3C_DATETIME.fullmatch(when):
                raise AlignerError(f"change by {change.who!r}: date {change.when!r} is not ISO 8601")
            _el(revisions, "change", change.what, when=when, who=f"#{agents[change.who]}")


def _source(segment: Segment) -> str:
    return f"{quote(xml_safe(segment.file), safe='/')}#L{segment.line_start}-L{segment.line_end}"


def _body(text: etree._Element, witness: Witness) -> None:
    """Blocks as TEI structure: a title opens a part ``div``, a heading a section ``div`` inside it."""
    body = _el(text, "body")
    part: etree._Element | None = None
    section: etree._Element | None = None
    ids = iter(witness.segment_ids())

    def only_heads(div: etree._Element | None) -> bool:
        return div is not None and all(child.tag == f"{{{TEI}}}head" for child in div)

    for block in witness.blocks:
        label = {"n": block.label} if block.label else {}
        if block.kind == "title":
            if not only_heads(part) or section is not None:
                part, section = _el(body, "div", type="part"), None
            node = _el(part, "head", type="title", **label)
        elif block.kind == "heading":
            if not only_heads(section):
                section = _el(part if part is not None else body, "div", type="section")
            node = _el(section, "head", type="heading", **label)
        else:
            container = section if section is not None else part if part is not None else body
            if block.kind == "point":
                last = container[-1] if len(container) else None
                if last is None or last.tag != f"{{{TEI}}}list":
                    last = _el(container, "list", type="points")
                node = _el(last, "item", **label)
            elif block.kind == "source":
                node = _el(container, "ab", type="source", **label)
            else:
                node = _el(container, "p", **label)
        for segment in block.segments:
            _el(node, "s", segment.text, xml_id=next(ids), source=_source(segment))
    if len(body) == 0:
        _el(body, "ab")  # a body cannot be empty; an untyped ab is no block


def _numbers(indices: Sequence[int]) -> str:
    """Sentence numbers (1-based, as in the sentence ids) of one side: ``524`` or ``524-526``."""
    numbers = [i + 1 for i in indices]
    if numbers == list(range(numbers[0], numbers[-1] + 1)):
        return str(numbers[0]) if len(numbers) == 1 else f"{numbers[0]}-{numbers[-1]}"
    return "_".join(str(n) for n in numbers)  # not consecutive: every number


def link_id(witness_id: str, bead: Bead) -> str:
    """The link's id, made of the sentences it joins: ``en-1937.p524.w525`` joins ru-1937.s524 with
    en-1937.s525, ``en-1937.p3-4.w3`` two pivot sentences with one, ``en-1937.p7`` a pivot sentence
    with nothing. An id therefore never names another set of sentences: a merge or a split makes new
    ids (the history says which became which), and aligning again keeps the id of a link it keeps."""
    parts = [witness_id]
    if bead.pivot:
        parts.append(f"p{_numbers(bead.pivot)}")
    if bead.witness:
        parts.append(f"w{_numbers(bead.witness)}")
    return ".".join(parts)


def _check_cert(confidence: float, where: str) -> str:
    if not (isinstance(confidence, int | float) and math.isfinite(confidence) and 0 <= confidence <= 1):
        raise AlignerError(f"{where}: confidence {confidence!r} is not a number between 0 and 1")
    return repr(float(confidence))


def _alignment(
    stand_off: etree._Element, edition: Edition, witness: Witness, pair: PairAlignment, agents: dict[str, str]
) -> None:
    if not pair.beads:
        return
    pivot_ids, witness_ids = edition.pivot.segment_ids(), witness.segment_ids()
    group = _el(stand_off, "linkGrp", type="alignment", domains=f"#{edition.pivot.id} #{witness.id}")
    notes = []
    for n, bead in enumerate(pair.beads, 1):
        bead_id = f"{witness.id} link {n}"
        try:
            targets = [pivot_ids[i] for i in bead.pivot] + [witness_ids[i] for i in bead.witness]
        except IndexError:
            raise AlignerError(f"{bead_id} points past the end of a witness") from None
        if any(i < 0 for i in (*bead.pivot, *bead.witness)) or not targets:
            raise AlignerError(f"{bead_id} has a negative or no segment index")
        bead_id = link_id(witness.id, bead)
        kind = "link" if bead.pivot and bead.witness else "ptr"
        attrs = {
            "xml_id": bead_id,
            "type": f"{len(bead.pivot)}-{len(bead.witness)}",
            "target": " ".join(f"#{t}" for t in targets),
            "cert": _check_cert(bead.confidence, f"link {bead_id}"),
        }
        if bead.resp is not None:
            attrs["resp"] = f"#{agents[bead.resp]}"
        _el(group, kind, **attrs)
        if bead.note is not None:
            notes.append((bead_id, bead.note))
    for bead_id, note in notes:
        _el(stand_off, "note", note, type="review", target=f"#{bead_id}")


# ------------------------------------------------------------------------- the scholar's own parts

_TOOL_RESP = ("automatic sentence alignment", "alignment review and revision")
_BIBL_FIELDS = {
    ("title", None), ("author", None), ("editor", "translator"), ("publisher", None),
    ("date", None), ("note", "source"), ("idno", "file"), ("textLang", None),
}  # fmt: skip


def _name(node: etree._Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _child(parent: etree._Element | None, tag: str) -> etree._Element | None:
    return None if parent is None else parent.find(f"t:{tag}", _NS)


def _bibl_key(node: etree._Element) -> tuple[str, str | None] | None:
    """Which of the tool's bibl fields this element is (``None``: the scholar's own)."""
    tag = _name(node)
    key = (
        tag,
        node.get("role") if tag == "editor" else node.get("type") if tag in ("note", "idno") else None,
    )
    return key if key in _BIBL_FIELDS else None


def _merge_bibl(old: etree._Element, new: etree._Element) -> etree._Element:
    """The old bibl with the tool's fields updated: a field whose text did not change keeps its element
    (and the ``@ref`` a scholar put on it); the scholar's own fields stay where they were."""
    merged = copy.deepcopy(old)
    merged.set("type", new.get("type", "translation"))
    fresh = list(new)
    for child in list(merged):
        key = _bibl_key(child)
        if key is None:
            continue
        same = [n for n in fresh if _bibl_key(n) == key]
        twin = next((n for n in same if _text(n) == _text(child)), None)
        if twin is not None:
            fresh.remove(twin)
            if twin.get(XML_LANG) and child.get(XML_LANG) is None:
                child.set(XML_LANG, twin.get(XML_LANG))  # an edition written before titles were tagged
        elif same:
            merged.replace(child, copy.deepcopy(same[0]))
            fresh.remove(same[0])
        elif key == ("idno", "file"):
            merged.remove(child)  # a file the witness no longer has
    merged.extend(copy.deepcopy(n) for n in fresh)
    return merged


def _merge_list_wit(old: etree._Element, new: etree._Element) -> None:
    """Each witness of the new listWit, merged with the old description of the same witness."""
    before = {w.get("corresp"): w for w in old.iterfind("t:witness", _NS)}
    for witness in list(new.iterfind("t:witness", _NS)):
        previous = before.get(witness.get("corresp"))
        old_bibl, new_bibl = _child(previous, "bibl"), _child(witness, "bibl")
        if previous is None or old_bibl is None or new_bibl is None:
            continue
        merged = copy.deepcopy(previous)
        merged.replace(_child(merged, "bibl"), _merge_bibl(old_bibl, new_bibl))
        new.replace(witness, merged)


def _swap(old_parent: etree._Element, old: etree._Element | None, new: etree._Element | None) -> None:
    """Put the tool's new element in the place of its old one (or at the end if there was none)."""
    if new is None:
        return
    if old is None:
        old_parent.append(copy.deepcopy(new))
    else:
        old_parent.replace(old, copy.deepcopy(new))


def _merge_header(old: etree._Element, new: etree._Element, edition: Edition, agents: dict[str, str]) -> None:
    """Update the tool's parts of the old header in place; everything else in it stays."""
    old_file, new_file = _child(old, "fileDesc"), _child(new, "fileDesc")
    old_titles, new_titles = _child(old_file, "titleStmt"), _child(new_file, "titleStmt")
    if old_file is None or old_titles is None or new_file is None or new_titles is None:
        raise _CannotMerge
    title = _child(old_titles, "title")
    if title is None or _text(title) != edition.title:  # unchanged, it keeps the scholar's markup
        _swap(old_titles, title, _child(new_titles, "title"))
    if edition.publication.get("author"):
        for author in old_titles.findall("t:author", _NS):
            old_titles.remove(author)
        titles = old_titles.findall("t:title", _NS)
        titles[-1].addnext(copy.deepcopy(_child(new_titles, "author")))
    for stmt in list(old_titles.iterfind("t:respStmt", _NS)):
        if stmt.get(XML_ID) in agents.values() or _text(_child(stmt, "resp")) in _TOOL_RESP:
            old_titles.remove(stmt)
    old_titles.extend(copy.deepcopy(s) for s in new_titles.iterfind("t:respStmt", _NS))

    old_pub = _child(old_file, "publicationStmt")
    generic = old_pub is not None and [_name(c) for c in old_pub] == ["p"]
    generic = generic and _text(old_pub[0]).startswith("Parallel edition generated by")
    if old_pub is None or generic or any(edition.publication.get(k) for k in PUBLICATION_FIELDS[1:]):
        _swap(old_file, old_pub, _child(new_file, "publicationStmt"))
    old_list = _child(_child(old_file, "sourceDesc"), "listWit")
    new_list = _child(_child(new_file, "sourceDesc"), "listWit")
    if old_list is None or new_list is None:
        raise _CannotMerge
    _merge_list_wit(old_list, new_list)
    old_list.getparent().replace(old_list, new_list)

    old_encoding, new_encoding = _child(old, "encodingDesc"), _child(new, "encodingDesc")
    app_path = "t:appInfo/t:application[@ident='aligner']"
    old_app = None if old_encoding is None else old_encoding.find(app_path, _NS)
    if old_encoding is None or new_encoding is None or old_app is None:
        raise _CannotMerge
    old_app.getparent().replace(old_app, new_encoding.find(app_path, _NS))
    old_decl, new_decl = _child(old_encoding, "editorialDecl"), _child(new_encoding, "editorialDecl")
    if old_decl is None:
        old_encoding.append(new_decl)
    else:
        for part in ("normalization", "segmentation"):
            _swap(old_decl, _child(old_decl, part), _child(new_decl, part))
    old_profile, new_profile = _child(old, "profileDesc"), _child(new, "profileDesc")
    if old_profile is None:
        old_encoding.addnext(new_profile)
    else:
        _swap(old_profile, _child(old_profile, "langUsage"), _child(new_profile, "langUsage"))
    old_revisions = _child(old, "revisionDesc")
    if old_revisions is None:
        old.append(_child(new, "revisionDesc"))
    else:
        old.replace(old_revisions, _child(new, "revisionDesc"))


class _CannotMerge(Exception):
    """The old header lacks a part the tool writes: the new header is written whole."""


def _carry_over(root: etree._Element, kept: etree._Element, edition: Edition, agents: dict[str, str]) -> None:
    """Carry the scholar's own parts of the document the edition was read from into the new one: the
    header outside the tool's parts, elements between the header and the text (a facsimile), front
    and back matter, and standOff content other than the alignment and the review notes."""
    header = _child(root, "teiHeader")
    old_header = copy.deepcopy(_child(kept, "teiHeader"))
    if old_header is not None:
        try:
            _merge_header(old_header, copy.deepcopy(header), edition, agents)
            root.replace(header, old_header)
        except _CannotMerge:
            pass
    anchor = _child(root, "teiHeader")
    for node in kept:
        if _name(node) not in ("teiHeader", "text", "standOff", ""):
            anchor.addnext(copy.deepcopy(node))
            anchor = anchor.getnext()
    old_texts = {t.get(XML_ID): t for t in kept.iterfind("t:text/t:group/t:text", _NS)}
    pairs = [(_child(kept, "text"), _child(root, "text"))]
    pairs += [(old_texts.get(t.get(XML_ID)), t) for t in root.iterfind("t:text/t:group/t:text", _NS)]
    for old_text, new_text in pairs:
        if old_text is None or new_text is None:
            continue
        front, back = _child(old_text, "front"), _child(old_text, "back")
        if front is not None:
            new_text.insert(0, copy.deepcopy(front))
        if back is not None:
            new_text.append(copy.deepcopy(back))
    stand_off = _child(root, "standOff")
    for node in kept.iterfind("t:standOff/*", _NS):
        tool_owned = (_name(node), node.get("type")) in (("linkGrp", "alignment"), ("note", "review"))
        if not tool_owned:
            stand_off.append(copy.deepcopy(node))


def to_tei(edition: Edition) -> bytes:
    """The edition as TEI P5 bytes (UTF-8); same edition, same bytes."""
    if len(edition.witnesses) != len(edition.alignments):
        raise AlignerError("edition: one pair alignment per witness is needed")
    agents = _agents(edition)
    root = _el(None, "TEI", xml_lang="en")
    _header(root, edition, agents)
    group = _el(_el(root, "text"), "group")
    for witness in [edition.pivot, *edition.witnesses]:
        text = _el(
            group,
            "text",
            xml_id=witness.id,
            xml_lang=witness.lang,
            type="pivot" if witness is edition.pivot else "witness",
        )
        _body(text, witness)
    stand_off = _el(root, "standOff")
    for witness, pair in zip(edition.witnesses, edition.alignments, strict=True):
        if pair.witness_id != witness.id:
            raise AlignerError(f"edition: alignment of {pair.witness_id} listed in the place of {witness.id}")
        _alignment(stand_off, edition, witness, pair, agents)
    if edition.kept is not None:
        _carry_over(root, edition.kept, edition, agents)
    if len(stand_off) == 0:
        root.remove(stand_off)
    seen: set[str] = set()
    for node in root.iter():
        node_id = node.get(XML_ID)
        if node_id is not None:
            if node_id in seen:
                raise AlignerError(f"edition: xml:id {node_id!r} used twice (witness ids clash)")
            seen.add(node_id)
    etree.indent(root, space=" ")
    return (
        b"<?xml version='1.0' encoding='UTF-8'?>\n"
        b'<?xml-model href="http://www.tei-c.org/release/xml/tei/custom/schema/relaxng/tei_all.rng" '
        b'type="application/xml" schematypens="http://relaxng.org/ns/structure/1.0"?>\n'
        + etree.tostring(root, encoding="UTF-8", xml_declaration=False)
        + b"\n"
    )


def write_edition(edition: Edition, path: Path) -> None:
    """Write the edition as TEI P5, atomically and deterministically."""
    write_atomic(Path(path), to_tei(edition))


# ---------------------------------------------------------------------------------------- reading


def _parse(path: Path, data: bytes | None = None) -> etree._Element:
    """Parse without DTDs, entity expansion or network: a hostile file cannot reach out or blow up."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )
    if data is None:
        data = read_bytes(path, "edition")
    try:
        tree = etree.fromstring(data, parser).getroottree()
    except etree.XMLSyntaxError as err:
        raise AlignerError(f"{path} is not well-formed XML: {err.msg}") from None
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        raise AlignerError(f"{path}: refused, it declares a DOCTYPE (entities and DTDs are not read)")
    root = tree.getroot()
    if root.tag != f"{{{TEI}}}TEI":
        raise AlignerError(f"{path} is not a TEI document (root element <{etree.QName(root).localname}>)")
    if root.find("t:teiHeader/t:encodingDesc/t:appInfo/t:application[@ident='aligner']", _NS) is None:
        raise AlignerError(f"{path} is a TEI document but not an edition written by aligner")
    return root


def _text(node: etree._Element | None) -> str:
    return "" if node is None else (node.text or "")


def _meta(witness_node: etree._Element, lang: str) -> WitnessMeta:
    bibl = witness_node.find("t:bibl", _NS)
    if bibl is None:
        bibl = etree.Element("none")

    def field_text(xpath: str) -> str:
        return _text(bibl.find(xpath, _NS))

    return WitnessMeta(
        id=witness_node.get("corresp", "#")[1:],
        lang=lang,
        role=bibl.get("type", "translation"),  # type: ignore[arg-type]
        title=field_text("t:title"),
        author=field_text("t:author"),
        translator=field_text("t:editor[@role='translator']"),
        publisher=field_text("t:publisher"),
        date=field_text("t:date"),
        source=field_text("t:note[@type='source']"),
        files=tuple(_text(node) for node in bibl.findall("t:idno[@type='file']", _NS)),
    )


def _block_kind(node: etree._Element) -> str | None:
    """The block kind a TEI element stands for (see ``_body``); ``None`` for anything else."""
    tag, kind = etree.QName(node).localname, node.get("type")
    if tag == "head":
        return kind if kind in ("title", "heading") else None
    if tag == "item":
        return "point" if node.getparent().get("type") == "points" else None
    if tag == "ab":
        return "source" if kind == "source" else None
    return "paragraph"


def _witness(text: etree._Element, metas: dict[str, etree._Element], path: Path) -> Witness:
    witness_id, lang = text.get(XML_ID), text.get(XML_LANG)
    if not witness_id or not lang:
        raise AlignerError(f"{path}: a witness <text> lacks its xml:id or xml:lang")
    if witness_id not in metas:
        raise AlignerError(f"{path}: witness {witness_id} is not described in the header's listWit")
    blocks, found = [], []
    for node in text.iter(*(f"{{{TEI}}}{tag}" for tag in ("head", "p", "item", "ab"))):
        kind = _block_kind(node)
        if kind is None:
            continue
        segments = []
        for s in node.iterfind("t:s", _NS):
            match = _SOURCE.fullmatch(s.get("source", ""))
            if match is None:
                raise AlignerError(f"{path}: sentence {s.get(XML_ID)} has no source FILE#Lstart-Lend")
            file, start, end = match.groups()
            # a TEI witness's own id is kept; ours follows from the place: one out of place is tampering
            own_id, ours = s.get(XML_ID, ""), f"{witness_id}.s{len(found) + 1}"
            if own_id != ours and re.fullmatch(rf"{re.escape(witness_id)}\.s\d+", own_id):
                raise AlignerError(
                    f"{path}: sentence ids of {witness_id} are not {witness_id}.s1, .s2, ... in order"
                )
            own_id = "" if own_id == ours else own_id
            found.append(s.get(XML_ID))
            segments.append(Segment(_text(s), unquote(file), int(start), int(end), xml_id=own_id))
        blocks.append(Block(kind=kind, segments=tuple(segments), label=node.get("n", "")))  # type: ignore[arg-type]
    witness = Witness(meta=_meta(metas[witness_id], lang), blocks=blocks)
    if [s.get(XML_ID) for s in text.iter(f"{{{TEI}}}s")] != list(witness.segment_ids()):
        raise AlignerError(f"{path}: sentence ids of {witness_id} are not {witness_id}.s1, .s2, ... in order")
    return witness


def _beads(
    group: etree._Element,
    pivot: Witness,
    witness: Witness,
    notes: dict[str, str],
    resp: dict[str, str],
    path: Path,
) -> list[Bead]:
    pivot_index = {sid: i for i, sid in enumerate(pivot.segment_ids())}
    witness_index = {sid: i for i, sid in enumerate(witness.segment_ids())}
    beads = []
    link_ids = []
    for node in group:
        if not isinstance(node.tag, str) or etree.QName(node).localname not in ("link", "ptr"):
            continue
        targets = [t[1:] if t.startswith("#") else t for t in node.get("target", "").split()]
        unknown = [t for t in targets if t not in pivot_index and t not in witness_index]
        if unknown or not targets:
            raise AlignerError(
                f"{path}: link {node.get(XML_ID)} points to unknown sentence {unknown[:1] or 'none'}"
            )
        try:
            confidence = float(node.get("cert", ""))
        except ValueError:
            confidence = math.nan
        if not 0 <= confidence <= 1:
            raise AlignerError(f"{path}: link {node.get(XML_ID)}: cert is not a number between 0 and 1")
        who = node.get("resp")
        if who is not None and who[1:] not in resp:
            raise AlignerError(f"{path}: link {node.get(XML_ID)}: resp {who} is not a respStmt of the header")
        beads.append(
            Bead(
                pivot=tuple(pivot_index[t] for t in targets if t in pivot_index),
                witness=tuple(witness_index[t] for t in targets if t in witness_index),
                confidence=confidence,
                resp=None if who is None else resp[who[1:]],
                note=notes.get(node.get(XML_ID, "")),
            )
        )
        link_ids.append(node.get(XML_ID) or f"number {len(beads)}")
    _check_links(beads, link_ids, pivot, witness, path)
    return beads


def _check_links(
    beads: Sequence[Bead], link_ids: Sequence[str], pivot: Witness, witness: Witness, path: Path
) -> None:
    """Every sentence of both texts in exactly one link, in reading order (a hand edit can break that).

    Review operations and exports rely on it; a broken edition is refused here, naming the first bad
    link, rather than failing later on links nobody touched.
    """
    for found, ids in (
        ([b.pivot for b in beads], pivot.segment_ids()),
        ([b.witness for b in beads], witness.segment_ids()),
    ):
        expected = 0
        for link_id, indices in zip(link_ids, found, strict=True):
            for i in indices:
                if i < expected:
                    raise AlignerError(
                        f"{path}: link {link_id} is inconsistent: {ids[i]} is linked twice "
                        f"or out of order in the alignment with {witness.id}"
                    )
                if i > expected:
                    raise AlignerError(
                        f"{path}: link {link_id} is inconsistent: it skips {ids[expected]}, "
                        f"which no link before it holds (alignment with {witness.id})"
                    )
                expected += 1
        if expected < len(ids):
            raise AlignerError(
                f"{path}: {ids[expected]} is in no link of the alignment with {witness.id} "
                f"(after link {link_ids[-1] if link_ids else 'none'})"
            )


def load_edition(path: Path) -> tuple[Edition, str]:
    """The edition at ``path`` and the fingerprint of the very bytes it was read from.

    What a writer remembers to save later with ``write_atomic(..., expected=fingerprint)``.
    """
    data = read_bytes(Path(path), "edition")
    return read_edition(path, data), hashlib.sha256(data).hexdigest()


def read_edition(path: Path, data: bytes | None = None) -> Edition:
    """Read an edition written by ``write_edition`` back, safely; anything else is refused in one line.

    An edition whose links do not take every sentence once, in order (a hand edit gone wrong) is
    refused too, naming the first bad link: every command reads editions through here.
    """
    path = Path(path)
    root = _parse(path, data)
    header = root.find("t:teiHeader", _NS)
    resp = {
        node.get(XML_ID, ""): _text(node.find("t:name", _NS))
        for node in header.iterfind("t:fileDesc/t:titleStmt/t:respStmt", _NS)
    }
    metas = {
        node.get("corresp", "#")[1:]: node
        for node in header.iterfind("t:fileDesc/t:sourceDesc/t:listWit/t:witness", _NS)
    }
    texts = root.findall("t:text/t:group/t:text", _NS)
    if not texts:
        raise AlignerError(f"{path}: no witness texts in <text><group>")
    witnesses = [_witness(text, metas, path) for text in texts]
    if len({w.id for w in witnesses}) != len(witnesses):
        raise AlignerError(f"{path}: two witness texts have the same xml:id")
    pivot, others = witnesses[0], witnesses[1:]
    by_id = {w.id: w for w in others}

    notes = {
        node.get("target", "#")[1:]: _text(node)
        for node in root.iterfind("t:standOff/t:note[@type='review']", _NS)
    }
    alignments = {w.id: PairAlignment(pivot_id=pivot.id, witness_id=w.id) for w in others}
    grouped: set[str] = set()
    for group in root.iterfind("t:standOff/t:linkGrp[@type='alignment']", _NS):
        domains = [d[1:] for d in group.get("domains", "").split()]
        if len(domains) != 2 or domains[0] != pivot.id or domains[1] not in by_id:
            raise AlignerError(f"{path}: linkGrp domains {group.get('domains')!r} are not '#pivot #witness'")
        if domains[1] in grouped:
            raise AlignerError(f"{path}: two alignments (linkGrp) of {domains[1]} with {pivot.id}")
        grouped.add(domains[1])
        alignments[domains[1]].beads = _beads(group, pivot, by_id[domains[1]], notes, resp, path)
    for witness in others:
        if witness.id not in grouped and (pivot.segments or witness.segments):
            _check_links([], [], pivot, witness, path)  # no linkGrp: its sentences are in no link

    application = header.find("t:encodingDesc/t:appInfo/t:application[@ident='aligner']", _NS)
    parameters = {
        item.get("n", ""): _text(item)
        for item in application.iterfind(".//t:list[@type='parameters']/t:item", _NS)
    }
    changes = []
    for node in header.iterfind("t:revisionDesc/t:change", _NS):
        if node.get("type") == "generated":
            continue
        who = node.get("who", "#")[1:]
        changes.append(Change(who=resp.get(who, who), when=node.get("when", ""), what=_text(node)))
    edition = Edition(
        title=_text(header.find("t:fileDesc/t:titleStmt/t:title", _NS)),
        pivot=pivot,
        witnesses=others,
        alignments=[alignments[w.id] for w in others],
        model=_text(application.find(".//t:name[@type='model']", _NS)),
        parameters=parameters,
        changes=changes,
        kept=root,
    )
    try:
        edition.review_threshold  # noqa: B018 (refused now, not halfway through a review)
    except AlignerError as err:
        raise AlignerError(f"{path}: {err}") from None
    return edition


# ---------------------------------------------------------------------------------------- validating


def schema_path() -> Path:
    """``$ALIGNER_TEI_SCHEMA``, else ``../shared/schemas/tei_all.rng`` beside a repository checkout.

    The schema (40 MB) is not shipped with the package: an installed aligner needs the variable.
    """
    given = os.environ.get(SCHEMA_ENV)
    if given:
        schema = Path(given)
        if not schema.is_file():
            raise AlignerError(
                f"TEI schema not found: {schema} (from {SCHEMA_ENV}; get it from {SCHEMA_URL})"
            )
        return schema
    beside = CHECKOUT.parent / "shared" / "schemas" / "tei_all.rng"
    if (CHECKOUT / "pyproject.toml").is_file() and beside.is_file():
        return beside
    raise AlignerError(
        f"TEI schema not found: download tei_all.rng from {SCHEMA_URL} and set {SCHEMA_ENV} to its path"
    )


def validate(path: Path) -> None:
    """Validate against the official tei_all schema with Jing (lxml takes minutes to compile it)."""
    jing_missing = AlignerError(
        "jing is not installed: it is needed to validate TEI against tei_all "
        "(Debian/Ubuntu: apt install jing; macOS: brew install jing-trang)"
    )
    if shutil.which("jing") is None:
        raise jing_missing
    schema = schema_path()
    try:
        done = subprocess.run(
            ["jing", str(schema), str(path)], capture_output=True, text=True, timeout=600, check=False
        )
    except FileNotFoundError:
        raise jing_missing from None
    if done.returncode != 0:
        lines = (done.stdout + done.stderr).strip().splitlines()
        raise AlignerError(
            f"{path} is not valid TEI: {lines[0] if lines else f'jing exit {done.returncode}'}"
        )


def sanitized(edition: Edition) -> Edition:
    """The edition as it will read back: texts and metadata without the characters XML cannot carry."""

    def meta(m: WitnessMeta) -> WitnessMeta:
        return replace(
            m,
            **{
                k: xml_safe(getattr(m, k))
                for k in ("id", "lang", "title", "author", "translator", "publisher", "date", "source")
            },
            files=tuple(xml_safe(f) for f in m.files),
        )

    def clean(w: Witness) -> bool:  # nearly always: then the witness is kept as it is, not copied
        m = w.meta
        fields = (m.id, m.lang, m.title, m.author, m.translator, m.publisher, m.date, m.source, *m.files)
        return all(f.isprintable() for f in fields) and all(
            b.label.isprintable() and all(s.text.isprintable() and s.file.isprintable() for s in b.segments)
            for b in w.blocks
        )

    def witness(w: Witness) -> Witness:
        if clean(w):
            return w
        blocks = [
            replace(
                b,
                label=xml_safe(b.label),
                segments=tuple(replace(s, text=xml_safe(s.text), file=xml_safe(s.file)) for s in b.segments),
            )
            for b in w.blocks
        ]
        return Witness(meta=meta(w.meta), blocks=blocks)

    def bead(b: Bead) -> Bead:
        if (b.resp is None or b.resp.isprintable()) and (b.note is None or b.note.isprintable()):
            return b
        return replace(
            b,
            resp=None if b.resp is None else xml_safe(b.resp),
            note=None if b.note is None else xml_safe(b.note),
        )

    return Edition(
        title=xml_safe(edition.title),
        pivot=witness(edition.pivot),
        witnesses=[witness(w) for w in edition.witnesses],
        alignments=[replace(a, beads=[bead(b) for b in a.beads]) for a in edition.alignments],
        model=xml_safe(edition.model),
        parameters={xml_safe(k): xml_safe(v) for k, v in edition.parameters.items()},
        changes=[Change(xml_safe(c.who), xml_safe(c.when), xml_safe(c.what)) for c in edition.changes],
        publication={key: xml_safe(value) for key, value in edition.publication.items()},
        kept=edition.kept,
    )


# ---------------------------------------------------------------------------------------- showing


def outline(edition: Edition, witness_id: str | None = None) -> list[str]:
    """What ``aligner show`` prints: the witnesses and alignments, or one witness's blocks and beads."""
    everyone = [edition.pivot, *edition.witnesses]
    if witness_id is None:
        lines = [f"title\t{edition.title}", f"model\t{edition.model or '-'}"]
        lines += [f"parameter\t{key}={edition.parameters[key]}" for key in sorted(edition.parameters)]
        for witness in everyone:
            kinds = Counter(block.kind for block in witness.blocks)
            role = "pivot" if witness is edition.pivot else witness.meta.role
            lines.append(
                f"witness\t{witness.id}\t{witness.lang}\t{role}\t{len(witness.blocks)} blocks"
                f" ({', '.join(f'{n} {kind}' for kind, n in sorted(kinds.items()))})"
                f"\t{len(witness.segments)} sentences\t{witness.meta.title}"
            )
        for pair in edition.alignments:
            shapes = Counter(f"{len(b.pivot)}-{len(b.witness)}" for b in pair.beads)
            reviewed = sum(1 for b in pair.beads if b.resp is not None)
            lines.append(
                f"alignment\t{pair.pivot_id} <-> {pair.witness_id}\t{len(pair.beads)} links"
                f" ({', '.join(f'{n}x {shape}' for shape, n in shapes.most_common())})\t{reviewed} reviewed"
            )
        lines += [f"change\t{c.when}\t{c.who}\t{c.what}" for c in edition.changes]
        return lines
    witness = next((w for w in everyone if w.id == witness_id), None)
    if witness is None:
        known = ", ".join(w.id for w in everyone)
        raise AlignerError(f"no witness {witness_id!r} in this edition (witnesses: {known})")
    lines, ids = [], iter(witness.segment_ids())
    for block in witness.blocks:
        lines.append(f"[{block.kind}{' ' + block.label if block.label else ''}]")
        for segment in block.segments:
            where = f"{segment.file}:{segment.line_start}-{segment.line_end}"
            lines.append(f"  {next(ids)}\t{where}\t{segment.text}")
    if witness is not edition.pivot:
        pair = edition.alignments[edition.witnesses.index(witness)]
        pivot_ids, witness_ids = edition.pivot.segment_ids(), witness.segment_ids()
        lines.append(f"[links {pair.pivot_id} <-> {pair.witness_id}]")
        for bead in pair.beads:
            left = " ".join(pivot_ids[i] for i in bead.pivot) or "-"
            right = " ".join(witness_ids[i] for i in bead.witness) or "-"
            extra = f"\treviewed by {bead.resp}" if bead.resp is not None else ""
            extra += f"\tnote: {bead.note}" if bead.note else ""
            lines.append(f"  {link_id(witness.id, bead)}\t{bead.confidence:.3f}\t{left}\t{right}{extra}")
    return lines
