"""TEI P5: the body's structure, the witness's own sentence ids, and the header's description.

Read: ``text/body`` (in a ``group``, the ``text`` in the witness's language, e.g. one witness of an
edition aligner wrote); ``div``s, ``head`` (a heading; ``head[@type="title"]`` or ``docTitle`` a
title), ``p`` and ``ab`` (``ab[@type="source"]`` a source line), ``list/item`` (a numbered point when
the item has an ``@n`` or its list is ordered), ``lg``/``l`` (a stanza is a paragraph, a verse line
ends a word). Skipped: ``note``, ``fw``, ``figure``, ``del``, the ``sic``/``orig``/``abbr`` of a
``choice``; ``lb``/``pb``/``cb`` separate words unless ``@break="no"``, which joins the word they
cut. Where the text has ``<s>`` or ``<seg>`` sentences, their segmentation and ``xml:id``s are kept,
so the edition's links point at the ids other projects already cite. The ``teiHeader`` (the
witness's ``bibl`` in an edition's ``listWit``, else ``sourceDesc``, ``titleStmt``,
``publicationStmt``) gives title, author, translator, publisher and date where the manifest gives
none. Lines are those of the markup.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from aligner.errors import AlignerError
from aligner.readers import Found, Run, Sentence, Unit

TEI = "http://www.tei-c.org/ns/1.0"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_NS = {"t": TEI}
# ``rt``: a ruby's reading (TEI P5 4.x ``<ruby><rb/><rt/></ruby>``); the text is its base
_SKIP = {"note", "fw", "figure", "del", "rt", "teiHeader", "facsimile", "sourceDoc"}
_CHOICE_SKIP = {"sic", "orig", "abbr"}
_BREAKS = {"lb", "pb", "cb"}
_CONTAINERS = {
    "body",
    "front",
    "back",
    "group",
    "div",
    *(f"div{n}" for n in range(1, 8)),
    "titlePage",
    "docTitle",
    "quote",
    "sp",
    "floatingText",
    "cit",
}
_BLOCKS = {
    "head",
    "p",
    "ab",
    "list",
    "item",
    "lg",
    "l",
    "titlePart",
    "label",
    "trailer",
    "byline",
    "dateline",
}


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def parse(path: Path, data: bytes) -> etree._Element:
    """The TEI root; not well-formed or not TEI is a one-line error. No DTD, entity or network is used."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise AlignerError(f"{path} is not well-formed XML: {err.msg}") from None
    if root.tag not in (f"{{{TEI}}}TEI", f"{{{TEI}}}teiCorpus"):
        raise AlignerError(
            f"{path} is XML but not TEI (root element <{etree.QName(root).localname}>, "
            f"not <TEI> in the {TEI} namespace)"
        )
    return root


def _text_for(root: etree._Element, lang: str, path: Path) -> etree._Element:
    """The ``text`` to read: in a ``group`` of texts (an edition), the first in the witness's language."""
    texts = [t for t in root.iter(f"{{{TEI}}}text") if t.find("t:body", _NS) is not None]
    if not texts:
        raise AlignerError(f"{path} is a TEI document without a text/body")
    if len(texts) == 1:
        return texts[0]
    for text in texts:
        own = text.get(XML_LANG) or next(
            (a.get(XML_LANG) for a in text.iterancestors() if a.get(XML_LANG)), ""
        )
        if own.split("-")[0] == lang.split("-")[0]:
            return text
    raise AlignerError(f"{path} holds {len(texts)} texts and none in language {lang!r}")


def language(path: Path, data: bytes) -> str:
    """The ``xml:lang`` of the first text with a body, of an ancestor, or of the root; "" if none.
    An edition of many texts in many languages declares none of them for a witness: ""."""
    root = parse(path, data)
    texts = [t for t in root.iter(f"{{{TEI}}}text") if t.find("t:body", _NS) is not None]
    if len(texts) != 1:
        return ""
    for node in (texts[0], *texts[0].iterancestors()):
        if node.get(XML_LANG):
            return node.get(XML_LANG, "").strip()
    return ""


def read(path: Path, data: bytes, lang: str) -> tuple[list[Unit], Found]:
    root = parse(path, data)
    text = _text_for(root, lang, path)
    found: list[Unit] = []
    body = text.find("t:body", _NS)
    _walk(body, path.name, found)
    if not found:
        raise AlignerError(f"no text found in {path} (TEI: its body has no head, p, ab, item or l)")
    return found, _header(root, text)


# --- structure ---------------------------------------------------------------------------------------


def _walk(node: etree._Element, file: str, found: list[Unit]) -> None:
    for child in node:
        _visit(child, node, file, found)


def _visit(child: etree._Element, parent: etree._Element, file: str, found: list[Unit]) -> None:
    tag = _local(child)
    if not tag or tag in _SKIP:
        return
    if tag == "head":
        kind = "title" if child.get("type") == "title" or _local(parent) == "docTitle" else "heading"
        found.append(_unit(child, file, kind, child.get("n", "")))
    elif tag == "titlePart":
        found.append(_unit(child, file, "title"))
    elif tag == "list":
        ordered = (child.get("type") or child.get("rend") or "") in ("ordered", "numbered", "points")
        number = 0
        for item in child:
            if _local(item) != "item":
                if _local(item) != "label":
                    _visit(item, child, file, found)
                continue
            number += 1
            label = item.get("n", "") or (f"{number}." if ordered else "")
            found.append(_unit(item, file, "point" if label else "paragraph", label))
    elif tag in _CONTAINERS or (tag not in _BLOCKS and _has_blocks(child)):
        _walk(child, file, found)
    else:
        kind = "source" if tag == "ab" and child.get("type") == "source" else "paragraph"
        unit = _unit(child, file, kind)
        if unit.sentences or unit.run.chars:
            found.append(unit)


def _has_blocks(node: etree._Element) -> bool:
    return any(_local(child) in _BLOCKS | _CONTAINERS for child in node)


def _unit(node: etree._Element, file: str, kind: str, label: str = "") -> Unit:
    """One block; where it holds ``<s>``/``<seg>`` sentences, those are its segments, with their ids."""
    unit = Unit(kind, file, label=label)  # type: ignore[arg-type]
    # every <s> is a sentence; a <seg> only with an id (else it is any phrase, a word, a stretch of text)
    sentences = [
        n
        for n in node.iter(f"{{{TEI}}}s", f"{{{TEI}}}seg")
        if (n.tag == f"{{{TEI}}}s" or n.get(XML_ID)) and not _inside(n, node)
    ]
    if not sentences:
        _gather(node, unit.run, node.sourceline or 0, top=True)
        return unit
    stray = Run()
    line = stray.add(node.text or "", node.sourceline or 0)
    for child in node:
        if child in sentences:
            _flush_stray(stray, unit)
            stray = Run()
            run = Run()
            _gather(child, run, child.sourceline or line, top=True)
            text, lines = run.text()
            if text:
                unit.sentences.append(Sentence(text, lines[0], lines[-1], child.get(XML_ID, "")))
            line = stray.add(child.tail or "", lines[-1] if text else line)
        else:
            line = _gather(child, stray, line)
    _flush_stray(stray, unit)
    return unit


def _inside(sentence: etree._Element, block: etree._Element) -> bool:
    """A sentence nested in another sentence, or not a direct part of this block, is not one of its own."""
    parent = sentence.getparent()
    while parent is not None and parent is not block:
        if _local(parent) in ("s", "seg", "note", "fw"):
            return True
        parent = parent.getparent()
    return False


def _flush_stray(stray: Run, unit: Unit) -> None:
    """Text between a block's sentences (rare): a sentence of its own, with an id the tool gives it."""
    text, lines = stray.text()
    if text:
        unit.sentences.append(Sentence(text, lines[0], lines[-1], ""))


def _gather(node: etree._Element, run: Run, line: int, top: bool = False) -> int:
    """The reading text of ``node`` (and its tail unless ``top``) into ``run``; returns the line reached."""
    tag = _local(node)
    line = node.sourceline or line
    if tag in _BREAKS:
        if node.get("break") == "no":
            run.glue()
        else:
            run.space(line)
    elif tag and tag not in _SKIP and not (tag in _CHOICE_SKIP and _local(node.getparent()) == "choice"):
        line = run.add(node.text or "", line)
        for child in node:
            line = _gather(child, run, line)
        if tag in ("l", "item", "p", "head"):
            run.space(line)  # a verse line, an item: its last word ends there
    if top:
        return line
    return run.add(node.tail or "", line)


# --- header ------------------------------------------------------------------------------------------


def _header(root: etree._Element, text: etree._Element) -> Found:
    header = root.find("t:teiHeader", _NS)
    if header is None:
        return {}
    places = []
    own_id = text.get(XML_ID)
    if own_id:
        places += header.xpath(
            "t:fileDesc/t:sourceDesc/t:listWit/t:witness[@corresp=$ref]/t:bibl",
            namespaces=_NS,
            ref=f"#{own_id}",
        )
    places += header.xpath(
        "t:fileDesc/t:sourceDesc//t:bibl | t:fileDesc/t:sourceDesc//t:biblStruct", namespaces=_NS
    )
    places += header.xpath("t:fileDesc/t:titleStmt | t:fileDesc/t:publicationStmt", namespaces=_NS)
    paths = {
        "title": [".//t:title[not(@type='sub')]"],
        "author": [".//t:author"],
        "translator": [".//t:editor[@role='translator']", ".//t:respStmt[contains(t:resp, 'ransl')]/t:name"],
        "publisher": [".//t:publisher"],
        "date": [".//t:date"],
    }
    found: Found = {}
    for key, xpaths in paths.items():
        for place in places:
            values = [
                " ".join("".join(n.itertext()).split())
                for x in xpaths
                for n in place.xpath(x, namespaces=_NS)
            ]
            values = [v for v in values if v]
            if values:
                found[key] = values[0]
                break
    return found
