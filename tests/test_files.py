"""Atomic writes: the old file stays whole until the new one is complete, and keeps its permissions."""

from __future__ import annotations

import os
import stat

import pytest

from aligner.errors import AlignerError
from aligner.files import write_atomic


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
