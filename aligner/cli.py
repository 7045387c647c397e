"""The command line: parses options and calls the stages; no logic of its own.

Every command raises ``AlignerError`` for bad input; ``main`` turns it into one line on stderr
and exit status 1.
"""

from __future__ import annotations

import sys

import typer

from aligner import manifest as manifest_module
from aligner.errors import AlignerError

app = typer.Typer(
    rich_markup_mode=None,
    help="Align translations with their original and publish TEI parallel editions.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root() -> None:
    """Align translations with their original and publish TEI parallel editions."""


@app.command()
def witnesses() -> None:
    """List the witnesses of the bundled manifest (ids usable wherever a witness is asked for)."""
    manifest = manifest_module.load_manifest()
    for meta in manifest.witnesses:
        pivot = " (pivot)" if meta.id == manifest.pivot else ""
        typer.echo(f"{meta.id}\t{meta.lang}\t{meta.role}{pivot}\t{meta.title}")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; bad input ends in a one-line message and a non-zero status, never a traceback."""
    try:
        app(args=argv, prog_name="aligner")
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except KeyboardInterrupt:
        print("aligner: interrupted", file=sys.stderr)
        return 130
    except AlignerError as err:
        print(f"aligner: error: {err}", file=sys.stderr)
        return 1
    return 0


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
