"""Every command, every path it takes: a missing path, a folder and a binary file each end in one line
on stderr and exit status 1, never a traceback. The commands and their path parameters are read from
the Typer app itself, so a new command or option is checked without anyone listing it here."""

from __future__ import annotations

import inspect
import re
import typing
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer
from paths import TEXTBERG

from aligner.cli import app, main
from aligner.edition import Edition, write_edition
from aligner.manifest import bundled_manifest

# Path parameters typed as text because they carry more than a path (FILE:LANG, or a manifest id).
TEXT_PATHS = {("segment", "file"), ("align", "witness_args")}
# Where the command writes: a missing path is fine there; a file standing where a folder must be is not.
OUTPUTS = {("segment", "json_out"), ("segment", "txt_out"), ("export", "out"), ("align", "out")}
OUTPUTS |= {("batch", "out")}


@dataclass(frozen=True)
class Parameter:
    """A parameter of a command as the Typer app declares it: its name, and how it is given."""

    name: str
    flag: str | None  # None for an argument
    is_path: bool


def commands() -> dict[str, list[Parameter]]:
    """Every command of the app and its parameters, from ``app.registered_commands``."""
    found = {}
    for info in app.registered_commands:
        hints = typing.get_type_hints(info.callback, include_extras=True)
        params = []
        for name in inspect.signature(info.callback).parameters:
            kind, declared = typing.get_args(hints[name])[:2]
            is_path = Path in (kind, *typing.get_args(kind))
            if isinstance(declared, typer.models.ArgumentInfo):
                flag = None
            else:
                # typer.Option("--json") inside Annotated keeps the flag where a default would be
                given = declared.default if str(declared.default).startswith("-") else None
                decls = declared.param_decls or (given or f"--{name.replace('_', '-')}",)
                flag = str(decls[0]).split("/")[0]
            params.append(Parameter(name, flag, is_path))
        found[info.name or info.callback.__name__] = params
    return found


def path_parameters() -> list[tuple[str, str]]:
    found = [
        (command, param.name)
        for command, params in sorted(commands().items())
        for param in params
        if param.is_path or (command, param.name) in TEXT_PATHS
    ]
    assert {command for command, _ in found} >= {"align", "evaluate", "export", "review", "segment", "show"}
    return found


@pytest.fixture(scope="module")
def valid(tmp_path_factory: pytest.TempPathFactory, hand_edition: Edition) -> dict[str, dict[str, object]]:
    """For every command, a good value of each parameter, so that only the one under test is bad."""
    folder = tmp_path_factory.mktemp("valid")
    edition = folder / "mb.tei.xml"
    write_edition(hand_edition, edition)
    text = f"{TEXTBERG / 'test4.de'}:de"
    corpus = folder / "corpus.toml"
    witnesses = "".join(
        f'[[work.witness]]\nid = "{lang}"\nlang = "{lang}"\nfiles = ["test4.{lang}"]\n'
        for lang in ("de", "fr")
    )
    corpus.write_text(f'[[work]]\nid = "test4"\n{witnesses}', encoding="utf-8")
    for lang in ("de", "fr"):
        (folder / f"test4.{lang}").write_bytes((TEXTBERG / f"test4.{lang}").read_bytes())
    return {
        "witnesses": {"manifest": bundled_manifest()},
        "segment": {
            "file": text,
            "json_out": folder / "s.json",
            "txt_out": folder / "s.txt",
            "manifest": bundled_manifest(),
        },
        "review": {"edition": edition, "reviewer": "alice"},
        "serve": {"edition": edition, "reviewer": "alice"},
        "show": {"edition": edition},
        "validate": {"edition": edition},
        "export": {"edition": edition, "out": folder / "exported"},
        "align": {
            "witness_args": [text, f"{TEXTBERG / 'test4.fr'}:fr"],
            "out": folder / "aligned",
            "manifest": bundled_manifest(),
        },
        "evaluate": {"predicted": TEXTBERG / "test4.defr", "gold": TEXTBERG / "test4.defr"},
        "batch": {"corpus": corpus, "out": folder / "editions"},
    }


def command_line(command: str, values: dict[str, object]) -> list[str]:
    args = [command]
    for param in commands()[command]:
        if param.name not in values:
            continue
        value = values[param.name]
        items = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        args += items if param.flag is None else [param.flag, *items]
    return args


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bad")
    (folder / "a folder").mkdir()
    (folder / "garbage.bin").write_bytes(bytes(range(256)) * 8)
    return {
        "missing": folder / "missing.txt",
        "folder": folder / "a folder",
        "garbage": folder / "garbage.bin",
        "under a file": folder / "garbage.bin" / "sub" / "out",
    }


@pytest.mark.parametrize(("command", "param"), path_parameters())
def test_a_bad_path_is_one_line_and_exit_1(
    command: str,
    param: str,
    valid: dict[str, dict[str, object]],
    bad: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert param in valid[command], f"no valid value for {command} {param}: add one above"
    kinds = ["under a file"] if (command, param) in OUTPUTS else ["missing", "folder", "garbage"]
    for kind in kinds:
        value: object = bad[kind]
        if (command, param) in TEXT_PATHS:  # a file of a known language, the others left valid
            given = valid[command][param]
            value = [f"{value}:de", *given[1:]] if isinstance(given, list) else f"{value}:de"
        assert main(command_line(command, {**valid[command], param: value})) == 1, kind
        captured = capsys.readouterr()
        lines = captured.err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("aligner: error: "), (kind, captured.err)
        shown = bad["garbage"] if kind == "under a file" else bad[kind]
        assert str(shown) in lines[0], (kind, lines[0])  # the message names the bad path


def test_every_command_shows_an_example_in_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    for name in commands():
        assert main([name, "--help"]) == 0
        assert "Example: aligner " + name in capsys.readouterr().out


def test_the_top_level_help_lists_the_commands_in_workflow_order_uncut(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    listed = [line.split()[0] for line in out.split("Commands:")[1].splitlines() if line.startswith("  ")]
    listed = [name for name in listed if name in commands()]
    assert listed == [
        "align",
        "batch",
        "review",
        "serve",
        "export",
        "show",
        "validate",
        "segment",
        "witnesses",
        "evaluate",
    ]
    assert "..." not in out.split("Commands:")[1] and "…" not in out  # no summary cut off


def test_help_placeholders_read_as_words_not_types(capsys: pytest.CaptureFixture[str]) -> None:
    for name in commands():
        assert main([name, "--help"]) == 0
        out = capsys.readouterr().out
        for code_like in ("<str>", "<path>", "<list[str]>", "<float>", "{file}"):
            assert code_like not in out, (name, code_like)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert re.fullmatch(r"aligner \d+\.\d+\.\d+\S*\n", capsys.readouterr().out)
