"""EPUB: the XHTML documents of the spine, in reading order, read like HTML.

The package document (``META-INF/container.xml`` names it) gives the spine; items marked
``linear="no"``, the navigation document and title pages (``epub:type="titlepage"``, which repeat the
metadata) are left out. Its Dublin Core metadata (title, creator, publisher, date) fills the witness's
description where the manifest gives none. A sentence's file is ``BOOK.epub/PATH-IN-THE-BOOK``.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from aligner.errors import AlignerError
from aligner.readers import Found, Unit, html

_OPF = "{http://www.idpf.org/2007/opf}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"
_SAFE = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _xml(archive: zipfile.ZipFile, name: str, path: Path) -> etree._Element:
    try:
        return etree.fromstring(archive.read(name), _SAFE)
    except KeyError:
        raise AlignerError(f"{path} is not a readable EPUB: {name} is missing") from None
    except etree.XMLSyntaxError as err:
        raise AlignerError(f"{path} is not a readable EPUB: {name} is not well-formed ({err.msg})") from None


def language(data: bytes) -> str:
    """The book's first ``dc:language`` (``ja``, ``zh-CN``), or ""."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        container = etree.fromstring(archive.read("META-INF/container.xml"), _SAFE)
        rootfile = container.find(f".//{_CONTAINER}rootfile")
        if rootfile is None:
            return ""
        opf = etree.fromstring(archive.read(rootfile.get("full-path", "")), _SAFE)
    node = opf.find(f"{_OPF}metadata/{_DC}language")
    return (node.text or "").strip() if node is not None else ""


def read(path: Path, data: bytes) -> tuple[list[Unit], Found]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        container = _xml(archive, "META-INF/container.xml", path)
        rootfile = container.find(f".//{_CONTAINER}rootfile")
        if rootfile is None or not rootfile.get("full-path"):
            raise AlignerError(f"{path} is not a readable EPUB: its container names no package document")
        opf_name = rootfile.get("full-path", "")
        opf = _xml(archive, opf_name, path)
        base = posixpath.dirname(opf_name)
        items = {
            item.get("id"): item
            for item in opf.iterfind(f"{_OPF}manifest/{_OPF}item")
            if item.get("id") and item.get("href")
        }
        found: list[Unit] = []
        for ref in opf.iterfind(f"{_OPF}spine/{_OPF}itemref"):
            item = items.get(ref.get("idref"))
            if item is None or ref.get("linear") == "no" or "nav" in (item.get("properties") or "").split():
                continue
            name = posixpath.normpath(posixpath.join(base, unquote(item.get("href", ""))))
            try:
                document = archive.read(name)
            except KeyError:
                raise AlignerError(f"{path} is not a readable EPUB: {name} is missing") from None
            root = html.parse(html.decoded(document, path), path)
            for page in root.iter():
                if isinstance(page.tag, str) and "titlepage" in (page.get("epub:type") or "").split():
                    page.drop_tree()
                    break
            found.extend(html.units(root, f"{path.name}/{name}"))
        meta = opf.find(f"{_OPF}metadata")
        about: Found = {}
        if meta is not None:
            for key, tag in (
                ("title", "title"),
                ("author", "creator"),
                ("publisher", "publisher"),
                ("date", "date"),
            ):
                node = meta.find(f"{_DC}{tag}")
                if node is not None and (node.text or "").strip():
                    about[key] = " ".join(node.text.split())
    if not found:
        raise AlignerError(f"no text found in {path} (EPUB: its spine holds no paragraph or heading)")
    return found, about
