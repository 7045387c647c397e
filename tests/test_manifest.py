"""The manifest as a hostile or careless hand may write it: files that escape its folder, values of the
wrong type. Each ends in one line naming the witness, the key or the file, through the real CLI."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from paths import TEXTBERG

from aligner.cli import main

HEAD = '[[witness]]\nid = "e"\nlang = "en"\n'
SENTENCES = "The plenum met in March. It heard two reports. Both were printed.\n"


def write_manifest(folder: Path, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "en.txt").write_text(SENTENCES, encoding="utf-8")
    path = folder / "manifest.toml"
    path.write_text(body, encoding="utf-8")
    return path


def segment(manifest: Path, witness: str, capsys: pytest.CaptureFixture[str], *flags: str) -> tuple[int, str]:
    code = main(["segment", witness, "--manifest", str(manifest), *flags])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def one_error_line(output: str) -> str:
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("aligner: error: "), output
    return lines[0]


# --- files stay in the manifest's folder (issue 9, case 4) ------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["../secret.txt", "sub/../../secret.txt", "SECRET_ABSOLUTE", "link.txt", "linked/secret.txt"],
)
def test_files_outside_the_manifest_folder_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("The password is swordfish. Nobody may read it. Keep it.\n", encoding="utf-8")
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "sub").mkdir()
    os.symlink(secret, folder / "link.txt")  # a link in the folder pointing out of it
    os.symlink(tmp_path, folder / "linked")
    name = str(secret) if name == "SECRET_ABSOLUTE" else name
    manifest = write_manifest(folder, f'[[witness]]\nid = "leak"\nlang = "en"\nfiles = ["{name}"]\n')
    code, output = segment(manifest, "leak", capsys)
    assert code == 1
    line = one_error_line(output)
    assert "witness 'leak'" in line and repr(name) in line and "--allow-outside-files" in line
    assert "swordfish" not in output

    # The user who runs the command may allow it; the manifest cannot.
    code, output = segment(manifest, "leak", capsys, "--allow-outside-files")
    assert code == 0 and "The password is swordfish." in output


def test_files_in_subfolders_and_links_within_the_folder_are_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "project"
    (folder / "texts").mkdir(parents=True)
    (folder / "texts" / "a.txt").write_text(SENTENCES, encoding="utf-8")
    os.symlink(folder / "texts" / "a.txt", folder / "alias.txt")
    manifest = write_manifest(
        folder, '[[witness]]\nid = "en"\nlang = "en"\nfiles = ["texts/./a.txt", "alias.txt"]\n'
    )
    code, output = segment(manifest, "en", capsys)
    assert code == 0, output
    assert output.splitlines()[-1] == "en (en): 6 sentences in 2 paragraph blocks"


# --- every type error is one line naming its key (cases 7 and 12) -------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (f"{HEAD}files = [1, 2]\n", "witness 'e': files must be a list of file names"),
        (f"{HEAD}files = {{a = 1}}\n", "witness 'e': files must be a list of file names"),
        (f'{HEAD}files = [""]\n', "witness 'e': files must be a list of file names"),
        ('witness = "x"\n', "'witness' must be [[witness]] tables"),
        ("witness = [1, 2]\n", "'witness' must be [[witness]] tables"),
        ('edition = "x"\n', "'edition' must be a table"),
        ('[edition]\ntitle = 5\n', "edition title must be text in quotes"),
        ('[edition]\npivot = ["a"]\n', "edition pivot must be text in quotes"),
        (f'[edition]\npivot = "ee"\n\n{HEAD}files = ["en.txt"]\n', "edition pivot 'ee' is none of its"),
        (f'{HEAD}files = ["en.txt"]\ntitle = 1937\n', "witness 'e': title must be text"),
        ('[[witness]]\nid = "e"\nlang = 7\nfiles = ["en.txt"]\n', "witness 'e': lang must be text"),
        (f'{HEAD}files = ["en.txt"]\nrole = 1\n', "witness 'e': role must be text"),
        ('[[witness]]\nid = 5\nlang = "en"\nfiles = ["en.txt"]\n', "witness id 5 is not an XML name"),
        (
            '[[witness]]\nid = "e"\nlang = "en"\nfiles = ["en.txt"]\n' * 2,
            "witness id 'e' is given twice",
        ),
    ],
)  # fmt: skip
def test_a_value_of_the_wrong_type_is_named_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, message: str
) -> None:
    manifest = write_manifest(tmp_path, body)
    code, output = segment(manifest, "e", capsys)
    assert code == 1
    assert message in one_error_line(output)


def test_files_as_one_string_is_one_file_and_an_unquoted_date_is_a_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = write_manifest(
        tmp_path, '[[witness]]\nid = "e"\nlang = "en"\nfiles = "en.txt"\ndate = 1937-03-29\n'
    )
    code, output = segment(manifest, "e", capsys)
    assert code == 0, output
    assert output.splitlines()[-1] == "e (en): 3 sentences in 1 paragraph blocks"


def test_an_id_in_cyrillic_is_an_xml_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = write_manifest(tmp_path, '[[witness]]\nid = "англ-1937"\nlang = "en"\nfiles = ["en.txt"]\n')
    code, output = segment(manifest, "англ-1937", capsys)
    assert code == 0, output
    assert output.splitlines()[-1].startswith("англ-1937 (en): 3 sentences")
    for bad in ("1937-en", "en:1937", "en 1937"):
        write_manifest(tmp_path, f'[[witness]]\nid = "{bad}"\nlang = "en"\nfiles = ["en.txt"]\n')
        code, output = segment(manifest, bad, capsys)
        assert code == 1 and f"witness id {bad!r} is not an XML name" in one_error_line(output)


def test_an_edition_with_cyrillic_ids_is_valid_tei(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("test4.de", "test4.fr"):
        shutil.copy(TEXTBERG / name, tmp_path / name)
    manifest = write_manifest(
        tmp_path,
        '[[witness]]\nid = "нем-1"\nlang = "de"\nfiles = ["test4.de"]\n\n'
        '[[witness]]\nid = "фр·2"\nlang = "fr"\nfiles = ["test4.fr"]\n',
    )
    out = tmp_path / "out" / "e"
    assert main(["align", "--manifest", str(manifest), "--out", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"witnesses from manifest {manifest}" and lines[1].startswith("нем-1 <-> фр·2: ")
    # review reads the edition back and validates it against TEI P5 (jing): xml:id="нем-1.s1" is an NCName
    assert main(["review", str(out.with_name("e.tei.xml"))]) == 0, capsys.readouterr().err


def test_language_tags_as_people_write_them_make_a_valid_edition(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # lang = "zh_TW" (a locale name) once went into xml:lang as is, and Jing refused the edition;
    # FILE:zh-Hant-TW (three subtags) was taken for a file name.
    (tmp_path / "zh.txt").write_text("他說：「你好。」\n她說：「再見！」\n他走了。\n", encoding="utf-8")
    (tmp_path / "ja.txt").write_text(
        "彼は「こんにちは。」と言った。\n彼女は「さようなら！」と言った。\n彼は去った。\n", encoding="utf-8"
    )
    manifest = write_manifest(
        tmp_path,
        '[[witness]]\nid = "zh"\nlang = "zh_TW"\nrole = "original"\nfiles = ["zh.txt"]\n\n'
        '[[witness]]\nid = "ja"\nlang = "JA"\nfiles = ["ja.txt"]\n',
    )
    out = tmp_path / "out" / "e"
    assert main(["align", "--manifest", str(manifest), "--out", str(out)]) == 0, capsys.readouterr().err
    tei = out.with_name("e.tei.xml").read_text(encoding="utf-8")
    assert '<text xml:id="zh" xml:lang="zh-TW"' in tei and '<text xml:id="ja" xml:lang="ja"' in tei
    assert '<textLang mainLang="zh-TW">Chinese</textLang>' in tei
    assert main(["validate", str(out.with_name("e.tei.xml"))]) == 0, capsys.readouterr().err
    capsys.readouterr()
    code, output = segment(manifest, f"{tmp_path / 'zh.txt'}:zh-hant-tw", capsys)
    assert code == 0 and output.splitlines()[-1] == "zh (zh-Hant-TW): 3 sentences in 1 paragraph blocks"
