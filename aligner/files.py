"""Reading and writing files: every failure is one line, and a crash never leaves a file half-written.

Every reader of the package goes through ``read_bytes``/``read_text`` and every writer through
``write_atomic``, so a missing file, a folder, a permission or a binary file reads the same everywhere.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: writers are not ordered, the fingerprint still decides
    fcntl = None  # type: ignore[assignment]

from aligner.errors import AlignerError


def read_bytes(path: Path, what: str = "file") -> bytes:
    """The bytes of ``path``; a missing file, a folder or a permission problem is an ``AlignerError``."""
    path = Path(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise AlignerError(f"no such {what}: {path}") from None
    except IsADirectoryError:
        raise AlignerError(f"cannot read {what} {path}: it is a folder") from None
    except OSError as err:
        raise AlignerError(f"cannot read {what} {path}: {err.strerror or err}") from None


def looks_binary(data: bytes) -> bool:
    """NUL bytes, or more than 5% control characters other than tab, newline, form feed, CR."""
    head = data[:65536]
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 12, 13))
    return b"\x00" in head or controls > 0.05 * max(len(head), 1)


# Longest first: the UTF-32 little-endian mark starts with the UTF-16 one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_unicode(data: bytes, path: Path, what: str = "file") -> tuple[str, str] | None:
    """UTF-16 or UTF-32 text with a byte order mark (Windows' "Unicode"): the text and its
    encoding; ``None`` without a mark.

    Asked before ``looks_binary``: every other byte of UTF-16 English is a NUL.
    """
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    if encoding is None:
        return None
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as err:
        raise AlignerError(f"cannot read {what} {path}: not {encoding.upper()} (byte {err.start})") from None


def read_text(path: Path, what: str = "file") -> str:
    """The text of ``path``: UTF-8 (a BOM is dropped), or UTF-16/32 with a BOM; binary or undecodable
    content is refused in one line."""
    data = read_bytes(path, what)
    decoded = decode_unicode(data, path, what)
    if decoded is not None:
        return decoded[0]
    if looks_binary(data):
        raise AlignerError(f"cannot read {what} {path}: it looks like a binary file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise AlignerError(f"cannot read {what} {path}: not UTF-8 (byte {err.start})") from None


def _mode_for(path: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual ones (0666 less the umask)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def check_folder_for(path: Path) -> None:
    """Refuse an output whose folder cannot be made because a file stands in its way (before long work)."""
    blocker = next((p for p in Path(path).parents if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise AlignerError(f"cannot write {path}: {blocker} is a file, not a folder")


class StaleWrite(AlignerError):
    """The file changed on disk since it was read: someone else saved first (see ``write_atomic``)."""


ANY = object()
"""``write_atomic(..., expected=ANY)``: overwrite whatever is there (the default)."""


def fingerprint(path: Path) -> str | None:
    """What a writer remembers of the file it read: the SHA-256 of its bytes (``None``: no file)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise AlignerError(f"cannot read {path}: {err.strerror or err}") from None


@contextmanager
def _folder_locked(folder: Path) -> Iterator[None]:
    """Writers of one folder take turns (an advisory lock on the folder itself, no lock file to go stale).

    The lock only orders the check-and-rename of ``write_atomic``; what decides is the fingerprint.
    """
    if fcntl is None:  # pragma: no cover - not POSIX
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _remove_stale_temps(path: Path) -> None:
    """Temporary files of a writer killed mid-save (only possible outside the lock) are litter."""
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        stale.unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes, expected: str | object | None = ANY) -> None:
    """Write through a temporary file in the same folder, then rename: never a half-written file.

    A symbolic link is written through (its target gets the new content; the link stays a link).
    With ``expected`` (a ``fingerprint`` taken when the file was read, ``None`` for "did not exist"),
    the write happens only if the file is still as it was read; else ``StaleWrite`` is raised and
    nothing is written, so a slower writer never overwrites a faster one's work.
    """
    path = Path(path)
    if path.is_symlink():
        path = path.resolve()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        check_folder_for(path)
        raise AlignerError(f"cannot write {path}: {path.parent} is not a folder") from None
    except OSError as err:
        raise AlignerError(f"cannot write {path}: {err.strerror or err}") from None
    with _folder_locked(path.parent):
        _remove_stale_temps(path)
        if expected is not ANY and fingerprint(path) != expected:
            raise StaleWrite(f"{path} was changed by someone else since it was read")
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        except OSError as err:
            raise AlignerError(f"cannot write {path}: {err.strerror or err}") from None
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.chmod(tmp, _mode_for(path))
            os.replace(tmp, path)
        except OSError as err:
            Path(tmp).unlink(missing_ok=True)
            raise AlignerError(f"cannot write {path}: {err.strerror or err}") from None
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
