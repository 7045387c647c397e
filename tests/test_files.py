"""Atomic writes: the old file stays whole until the new one is complete, and keeps its permissions."""

from __future__ import annotations

import os
import stat

import pytest

from aligner.errors import AlignerError
from aligner.files import StaleWrite, fingerprint, write_atomic


def test_a_new_file_gets_the_usual_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "edition.tei.xml", b"<TEI/>")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "edition.tei.xml").stat().st_mode) == 0o644


def test_rewriting_keeps_the_permissions_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "edition.tei.xml"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["edition.tei.xml"]


def test_an_output_folder_that_is_a_file_is_named_in_the_message(tmp_path):
    # `aligner align --out notes.txt/edition`: mkdir's "File exists" said nothing useful
    (tmp_path / "notes.txt").write_text("my notes", encoding="utf-8")
    with pytest.raises(AlignerError) as error:
        write_atomic(tmp_path / "notes.txt" / "out" / "edition.tei.xml", b"<TEI/>")
    assert str(error.value).endswith(f"{tmp_path / 'notes.txt'} is a file, not a folder")
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "my notes"


def test_a_writer_that_read_an_older_version_is_refused_and_the_newer_one_kept(tmp_path):
    target = tmp_path / "edition.tei.xml"
    target.write_bytes(b"as both read it")
    seen = fingerprint(target)
    write_atomic(target, b"the first save", expected=seen)
    with pytest.raises(StaleWrite, match="changed by someone else"):
        write_atomic(target, b"the second save, made on the old version", expected=seen)
    assert target.read_bytes() == b"the first save"
    write_atomic(target, b"saved again after reading anew", expected=fingerprint(target))
    assert target.read_bytes() == b"saved again after reading anew"


def test_expecting_no_file_refuses_to_overwrite_one_made_meanwhile(tmp_path):
    target = tmp_path / "new.tei.xml"
    assert fingerprint(target) is None
    target.write_bytes(b"someone else's edition")
    with pytest.raises(StaleWrite):
        write_atomic(target, b"mine", expected=None)
    assert target.read_bytes() == b"someone else's edition"


def test_a_symlinked_file_is_written_through_and_stays_a_link(tmp_path):
    real = tmp_path / "store" / "edition.tei.xml"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "edition.tei.xml"
    link.symlink_to(real)
    write_atomic(link, b"new")
    assert link.is_symlink()
    assert real.read_bytes() == b"new"


def test_the_temporary_file_of_a_killed_save_is_cleaned_on_the_next_write(tmp_path):
    target = tmp_path / "edition.tei.xml"
    (tmp_path / ".edition.tei.xml.abc123.tmp").write_bytes(b"half a file")
    write_atomic(target, b"whole")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["edition.tei.xml"]
