"""The manifest: bibliographic metadata of the witnesses shipped in ``translations/``.

The bundled texts and their manifest are package data (``aligner/translations`` in an installed
package, the ``translations/`` folder beside the package in a checkout); ``bundled_folder`` finds them.

A witness on the command line is either a manifest id (``en-1937``) or a file path; a file
may carry its language after a colon (``notes/de.txt:de``). Ids become ``xml:id`` prefixes,
so they must be XML names.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from aligner.errors import AlignerError
from aligner.files import read_text
from aligner.witness import PUBLICATION_FIELDS, WitnessMeta

_XML_NAME = re.compile(r"^[A-Za-z_][\w.-]*$")
_FIELDS = ("lang", "role", "title", "author", "translator", "publisher", "date", "source")


@dataclass(frozen=True)
class Manifest:
    title: str = ""
    pivot: str = ""
    witnesses: tuple[WitnessMeta, ...] = ()
    folder: Path = Path()
    publication: tuple[tuple[str, str], ...] = ()  # [edition] author, publisher, place, date, licence
    path: Path | None = None  # the file read (None: no manifest), named in messages

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
LOCAL_MANIFESTS = (Path("translations") / "manifest.toml", Path("aligner.toml"))


def find_manifest(given: Path | None = None) -> Path | None:
    """The manifest a command reads: the one given; else ``translations/manifest.toml`` or
    ``aligner.toml`` in the current folder (a scholar's working folder); else the bundled one;
    ``None`` when there is none at all (files alone need none)."""
    if given is not None:
        return Path(given)
    for local in LOCAL_MANIFESTS:
        if local.is_file():
            return local.resolve()
    bundled = bundled_manifest()
    return bundled if bundled.is_file() else None


def described(manifest: Manifest) -> str:
    """How messages name the manifest they read."""
    return f"manifest {manifest.path}" if manifest.path is not None else "no manifest"


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
        publication=tuple((key, str(edition[key])) for key in PUBLICATION_FIELDS if edition.get(key)),
        path=path,
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
        raise AlignerError(
            f"no such file or manifest witness: {argument} ({described(manifest)}; its ids: {known})"
        )
    if not lang:
        raise AlignerError(f"language of {argument} unknown: give it as {argument}:LANG")
    meta = WitnessMeta(id=witness_id_for(path), lang=lang, title=path.stem, files=(path.name,))
    return sidecar_meta(path, meta), [path]


def sidecar_meta(path: Path, meta: WitnessMeta) -> WitnessMeta:
    """A file's witness described by a small TOML beside it (``notes/de.txt.toml``: title, author,
    translator, publisher, date, source, role; the same keys as a manifest ``[[witness]]``)."""
    sidecar = path.with_name(path.name + ".toml")
    if not sidecar.is_file():
        return meta
    try:
        data = tomllib.loads(read_text(sidecar, "witness description"))
    except tomllib.TOMLDecodeError as err:
        raise AlignerError(f"{sidecar} is not valid TOML: {err}") from None
    unknown = sorted(set(data) - set(_FIELDS) - {"id"})
    if unknown:
        raise AlignerError(f"{sidecar}: unknown key {unknown[0]!r} (known: id, {', '.join(_FIELDS)})")
    if data.get("role", "translation") not in ("original", "translation"):
        raise AlignerError(f"{sidecar}: role must be 'original' or 'translation'")
    witness_id = str(data.get("id", meta.id))
    if not _XML_NAME.match(witness_id):
        raise AlignerError(f"{sidecar}: witness id {witness_id!r} is not an XML name")
    values = {key: str(data[key]) for key in _FIELDS if key in data and key != "lang"}
    return replace(meta, id=witness_id, **values)
