"""The manifest: bibliographic metadata of the witnesses shipped in ``translations/``.

A witness on the command line is either a manifest id (``en-1937``) or a file path; a file
may carry its language after a colon (``notes/de.txt:de``). Ids become ``xml:id`` prefixes,
so they must be XML names.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from aligner.errors import AlignerError
from aligner.witness import WitnessMeta

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
DEFAULT_MANIFEST = TRANSLATIONS / "manifest.toml"
_XML_NAME = re.compile(r"^[A-Za-z_][\w.-]*$")
_FIELDS = ("lang", "role", "title", "author", "translator", "publisher", "date", "source")


@dataclass(frozen=True)
class Manifest:
    title: str = ""
    pivot: str = ""
    witnesses: tuple[WitnessMeta, ...] = ()
    folder: Path = field(default=TRANSLATIONS)

    def get(self, witness_id: str) -> WitnessMeta | None:
        return next((w for w in self.witnesses if w.id == witness_id), None)

    def paths(self, meta: WitnessMeta) -> list[Path]:
        return [self.folder / name for name in meta.files]


def load_manifest(path: Path = DEFAULT_MANIFEST) -> Manifest:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AlignerError(f"manifest not found: {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
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
    if not path.exists():
        known = ", ".join(w.id for w in manifest.witnesses) or "none"
        raise AlignerError(f"no such file or manifest witness: {argument} (manifest ids: {known})")
    if not lang:
        raise AlignerError(f"language of {argument} unknown: give it as {argument}:LANG or with --lang")
    return WitnessMeta(id=witness_id_for(path), lang=lang, title=path.stem, files=(path.name,)), [path]
