"""The manifest: bibliographic metadata of the witnesses shipped in ``translations/``.

The bundled texts and their manifest are package data (``aligner/translations`` in an installed
package, the ``translations/`` folder beside the package in a checkout); ``bundled_folder`` finds them.

A witness on the command line is either a manifest id (``en-1937``), a file path, or a book in many
files (a folder, or a quoted glob such as ``'book/*.txt'``, read in name order, one file a chapter); a
file may carry its language after a colon (``notes/de.txt:de``). Ids become ``xml:id`` prefixes,
so they must be XML names.
"""

from __future__ import annotations

import glob
import re
import tomllib
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from aligner.errors import AlignerError
from aligner.files import read_text
from aligner.witness import WitnessMeta

_XML_NAME = re.compile(r"^[A-Za-z_][\w.-]*$")
_FIELDS = ("lang", "role", "title", "author", "translator", "publisher", "date", "source")


@dataclass(frozen=True)
class Manifest:
    title: str = ""
    pivot: str = ""
    witnesses: tuple[WitnessMeta, ...] = ()
    folder: Path = Path()

    def get(self, witness_id: str) -> WitnessMeta | None:
        return next((w for w in self.witnesses if w.id == witness_id), None)

    def paths(self, meta: WitnessMeta) -> list[Path]:
        return [self.folder / name for name in meta.files]


def bundled_folder() -> Path:
    """The bundled texts: ``aligner/translations`` when installed (package data, see pyproject.toml),
    else ``translations/`` beside the package (a checkout, or an editable install of one)."""
    installed = resources.files("aligner") / "translations"
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parent.parent / "translations"


def bundled_manifest() -> Path:
    return bundled_folder() / "manifest.toml"


NO_MANIFEST = Manifest()  # what files given on their own are resolved against


def load_manifest(path: Path | None = None) -> Manifest:
    """The manifest at ``path``, else the bundled one."""
    path = Path(path) if path is not None else bundled_manifest()
    try:
        data = tomllib.loads(read_text(path, "manifest"))
    except tomllib.TOMLDecodeError as err:
        raise AlignerError(f"manifest {path} is not valid TOML: {err}") from None
    witnesses = []
    for entry in data.get("witness", []):
        witness_id = str(entry.get("id", ""))
        if not _XML_NAME.match(witness_id):
            raise AlignerError(f"manifest {path}: witness id {witness_id!r} is not an XML name")
        if not entry.get("lang") or not entry.get("files"):
            raise AlignerError(f"manifest {path}: witness {witness_id!r} needs 'lang' and 'files'")
        if entry.get("role", "translation") not in ("original", "translation"):
            raise AlignerError(
                f"manifest {path}: witness {witness_id!r}: role must be 'original' or 'translation'"
            )
        values = {key: str(entry[key]) for key in _FIELDS if key in entry}
        presegmented = entry.get("presegmented")
        if presegmented is not None and not isinstance(presegmented, bool):
            raise AlignerError(f"manifest {path}: witness {witness_id!r}: presegmented must be true or false")
        witnesses.append(
            WitnessMeta(id=witness_id, files=tuple(entry["files"]), presegmented=presegmented, **values)
        )
    edition = data.get("edition", {})
    return Manifest(
        title=str(edition.get("title", "")),
        pivot=str(edition.get("pivot", "")),
        witnesses=tuple(witnesses),
        folder=path.parent,
    )


def witness_id_for(path: Path, suffix: bool = False) -> str:
    """An XML-name id for a bare file: its stem (or whole name), with other characters replaced."""
    stem = re.sub(r"[^\w.-]", "_", path.name if suffix else path.stem)
    return stem if _XML_NAME.match(stem) else f"w_{stem}"


def resolve(argument: str, manifest: Manifest, lang: str | None = None) -> tuple[WitnessMeta, list[Path]]:
    """Turn a command-line witness (manifest id, ``FILE`` or ``FILE:LANG``) into metadata and files."""
    meta = manifest.get(argument)
    if meta is not None:
        return (replace(meta, lang=lang) if lang else meta), manifest.paths(meta)
    path_text, _, suffix = argument.rpartition(":")
    if path_text and re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]+)?", suffix) and not Path(argument).exists():
        argument, lang = path_text, lang or suffix
    path = Path(argument)
    paths = _many_files(argument)
    if not path.exists() and not paths:
        known = ", ".join(w.id for w in manifest.witnesses) or "none"
        raise AlignerError(f"no such file or manifest witness: {argument} (manifest ids: {known})")
    if not lang:
        raise AlignerError(f"language of {argument} unknown: give it as {argument}:LANG or with --lang")
    if paths:
        book = path if path.is_dir() else paths[0].parent
        files = tuple(p.name for p in paths)
        meta = WitnessMeta(id=witness_id_for(book, suffix=True), lang=lang, title=book.name, files=files)
        return meta, paths
    return WitnessMeta(id=witness_id_for(path), lang=lang, title=path.stem, files=(path.name,)), [path]


def _many_files(argument: str) -> list[Path]:
    """A book in many files: a folder's files, or a glob's (``'book/*.txt'``), in name order; else none."""
    path = Path(argument)
    if path.is_dir():
        paths = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        if not paths:
            raise AlignerError(f"folder {argument} holds no file to read")
        return paths
    if path.exists() or not any(char in argument for char in "*?["):
        return []
    return sorted(Path(name) for name in glob.glob(argument) if Path(name).is_file())
