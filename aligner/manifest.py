"""The manifest: bibliographic metadata of the witnesses shipped in ``translations/``.

The bundled texts and their manifest are package data (``aligner/translations`` in an installed
package, the ``translations/`` folder beside the package in a checkout); ``bundled_folder`` finds them.

A witness on the command line is either a manifest id (``en-1937``), a file path, or a book in many
files (a folder, or a quoted glob such as ``'book/*.txt'``, read in name order, one file a chapter); a
file may carry its language after a colon (``notes/de.txt:de``). Ids become ``xml:id`` prefixes,
so they must be XML names.
"""

from __future__ import annotations

import datetime
import glob
import re
import tomllib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from aligner.errors import AlignerError
from aligner.files import read_text
from aligner.witness import PUBLICATION_FIELDS, WitnessMeta

# The language a file declares for itself ("" for none): ``pipeline.declared_lang``, passed in.
Declared = Callable[[Path], str]

# XML 1.0 (fifth edition) NameStartChar and NameChar without ":": what ``xml:id`` (an NCName) accepts.
_NAME_START = (
    "A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_NAME_CHAR = _NAME_START + "\\-.0-9\u00b7\u0300-\u036f\u203f-\u2040"
_XML_NAME = re.compile(rf"^[{_NAME_START}][{_NAME_CHAR}]*$")
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


def load_manifest(path: Path | None = None, allow_outside: bool = False) -> Manifest:
    """The manifest at ``path``, else the bundled one; every type error is one line naming its key.

    A witness's ``files`` must lie in the manifest's folder (or below it): a manifest from elsewhere
    cannot make the tool read and publish ``/etc/passwd``. ``allow_outside`` (``--allow-outside-files``)
    lifts that for the user who runs the command; the manifest itself cannot.
    """
    path = Path(path) if path is not None else bundled_manifest()
    try:
        data = tomllib.loads(read_text(path, "manifest"))
    except tomllib.TOMLDecodeError as err:
        raise AlignerError(f"manifest {path} is not valid TOML: {err}") from None
    return manifest_from(data, path, path.parent, allow_outside)


def manifest_from(data: dict[str, object], path: Path, folder: Path, allow_outside: bool = False) -> Manifest:
    """A manifest from TOML already read (``[edition]`` and ``[[witness]]``), its files in ``folder``;
    ``path`` names it in messages. A corpus's ``[[work]]`` table is read through here too."""
    entries = data.get("witness", [])
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise AlignerError(f"manifest {path}: 'witness' must be [[witness]] tables, one per witness")
    edition = data.get("edition", {})
    if not isinstance(edition, dict):
        raise AlignerError(f"manifest {path}: 'edition' must be a table: [edition] with title and pivot")
    for key in ("title", "pivot"):
        if not isinstance(edition.get(key, ""), str):
            raise AlignerError(f"manifest {path}: edition {key} must be text in quotes")
    witnesses: list[WitnessMeta] = []
    for entry in entries:
        meta = _witness(entry, path)
        if any(w.id == meta.id for w in witnesses):
            raise AlignerError(f"manifest {path}: witness id {meta.id!r} is given twice")
        if not allow_outside:
            for name in meta.files:
                check_inside(folder, name, f"manifest {path}: witness {meta.id!r}")
        witnesses.append(meta)
    pivot = edition.get("pivot", "")
    ids = [w.id for w in witnesses]
    if pivot and ids and pivot not in ids:  # a typo would silently align everything to another witness
        raise AlignerError(
            f"manifest {path}: edition pivot {pivot!r} is none of its witnesses ({', '.join(ids)})"
        )
    return Manifest(
        title=edition.get("title", ""),
        pivot=pivot,
        witnesses=tuple(witnesses),
        folder=folder,
        publication=tuple((key, str(edition[key])) for key in PUBLICATION_FIELDS if edition.get(key)),
        path=path,
    )


def _witness(entry: dict[str, object], path: Path) -> WitnessMeta:
    """One ``[[witness]]`` table checked key by key: a wrong type is named, never a traceback."""
    witness_id = entry.get("id", "")
    if not isinstance(witness_id, str) or not _XML_NAME.match(witness_id):
        raise AlignerError(f"manifest {path}: witness id {witness_id!r} is not an XML name")
    where = f"manifest {path}: witness {witness_id!r}"
    if not entry.get("lang") or not entry.get("files"):
        raise AlignerError(f"{where} needs 'lang' and 'files'")
    files = entry["files"]
    if isinstance(files, str):
        files = [files]  # one file
    if not isinstance(files, list) or not all(isinstance(name, str) and name.strip() for name in files):
        raise AlignerError(f'{where}: files must be a list of file names in quotes, e.g. files = ["a.txt"]')
    values: dict[str, str] = {}
    for key in _FIELDS:
        value = entry.get(key)
        if value is None:
            continue
        if key == "date" and isinstance(value, int | datetime.date) and not isinstance(value, bool):
            value = str(value)  # date = 1937 or date = 1937-03-29, unquoted: TOML's number and date
        if not isinstance(value, str):
            raise AlignerError(f"{where}: {key} must be text in quotes")
        values[key] = value
    if values.get("role", "translation") not in ("original", "translation"):
        raise AlignerError(f"{where}: role must be 'original' or 'translation'")
    presegmented = entry.get("presegmented")
    if presegmented is not None and not isinstance(presegmented, bool):
        raise AlignerError(f"{where}: presegmented must be true or false")
    return WitnessMeta(id=witness_id, files=tuple(files), presegmented=presegmented, **values)


def check_inside(folder: Path, name: str, where: str, whose: str = "manifest", what: str = "file") -> None:
    """A file of the manifest (or a work's folder or manifest, of the corpus) must be relative and stay
    in its folder, through ``..`` and links alike."""
    if Path(name).is_absolute() or Path(name).drive:
        raise AlignerError(
            f"{where}: {what} {name!r} is an absolute path; files are relative to the {whose}'s folder "
            "(--allow-outside-files to read it anyway)"
        )
    try:
        inside = folder.resolve()
        escapes = not (inside / name).resolve().is_relative_to(inside)
    except (OSError, ValueError, RuntimeError) as err:  # a NUL in the name, a loop of links
        raise AlignerError(f"{where}: {what} {name!r} cannot be read: {err}") from None
    if escapes:
        raise AlignerError(
            f"{where}: {what} {name!r} lies outside the {whose}'s folder {inside} "
            "(--allow-outside-files to read it anyway)"
        )


def is_xml_name(text: str) -> bool:
    """Whether ``text`` can be an ``xml:id`` (witness ids; a corpus's work ids, which name folders too)."""
    return bool(_XML_NAME.match(text))


def witness_id_for(path: Path, suffix: bool = False) -> str:
    """An XML-name id for a bare file: its stem (or whole name), with other characters replaced."""
    stem = re.sub(rf"[^{_NAME_CHAR}]", "_", path.name if suffix else path.stem)
    return stem if _XML_NAME.match(stem) else f"w_{stem}"


def resolve(
    argument: str, manifest: Manifest, lang: str | None = None, declared: Declared | None = None
) -> tuple[WitnessMeta, list[Path]]:
    """Turn a command-line witness (manifest id, ``FILE`` or ``FILE:LANG``) into metadata and files;
    a file given without a language takes the one it declares (``declared``: an EPUB's ``dc:language``,
    HTML's ``lang``, TEI's ``xml:lang``; the first file of a book), if any."""
    meta = manifest.get(argument)
    if meta is not None:
        return (replace(meta, lang=lang) if lang else meta), manifest.paths(meta)
    path_text, _, suffix = argument.rpartition(":")
    is_tag = re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*", suffix)  # de, zh-TW, zh_Hant_TW
    if path_text and is_tag and not Path(argument).exists():
        argument, lang = path_text, lang or suffix
    path = Path(argument)
    paths = _many_files(argument)
    if not path.exists() and not paths:
        known = ", ".join(w.id for w in manifest.witnesses) or "none"
        raise AlignerError(
            f"no such file or manifest witness: {argument} ({described(manifest)}; its ids: {known})"
        )
    if not lang and declared is not None:
        lang = declared(paths[0] if paths else path)
    if not lang:
        raise AlignerError(f"language of {argument} unknown: give it as {argument}:LANG or with --lang")
    if paths:
        book = path if path.is_dir() else paths[0].parent
        files = tuple(p.name for p in paths)
        meta = WitnessMeta(id=witness_id_for(book, suffix=True), lang=lang, title=book.name, files=files)
        return sidecar_meta(book, meta), paths
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


def resolve_all(
    arguments: list[str], manifest: Manifest, declared: Declared | None = None
) -> list[tuple[WitnessMeta, list[Path]]]:
    """Resolve every witness argument; files that share a stem get ids that tell them apart.

    ``test0.de`` and ``test0.fr`` (Text+Berg's naming) keep their suffix; ``a/x.txt`` and ``b/x.txt``
    take their folder's name (``a-x``, ``b-x``). The same witness or file twice is refused.
    """
    resolved = [resolve(argument, manifest, declared=declared) for argument in arguments]
    files = [i for i, (meta, _) in enumerate(resolved) if meta not in manifest.witnesses]
    seen: dict[Path, str] = {}
    for i in files:
        real = resolved[i][1][0].resolve()
        if real in seen:
            raise AlignerError(f"a file is given twice: {seen[real]} and {arguments[i]}")
        seen[real] = arguments[i]
    namings = (
        lambda path: witness_id_for(path, suffix=True),
        lambda path: witness_id_for(Path(f"{path.parent.resolve().name}-{path.stem}"), suffix=True),
    )
    for naming in namings:
        ids = Counter(meta.id for meta, _ in resolved)
        for i in files:
            meta, paths = resolved[i]
            if ids[meta.id] > 1:
                resolved[i] = (replace(meta, id=naming(paths[0])), paths)
    ids = Counter(meta.id for meta, _ in resolved)
    twice = [argument for (meta, _), argument in zip(resolved, arguments, strict=True) if ids[meta.id] > 1]
    if twice:
        raise AlignerError(f"a witness is given twice: {', '.join(twice)}")
    return resolved
