"""Exports derived from a parallel edition: TSV for spreadsheets, TMX for translation memories, HTML to read.

All are written atomically and deterministically from an ``Edition`` (so ``aligner export`` can
re-derive them from a reviewed TEI edition). TMX is written with lxml: translate-toolkit reads it
(the tests check that) but is GPL and has no API for ``prop`` elements, so it is not used to write.
"""

from __future__ import annotations

import html
import math
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from lxml import etree

from aligner.alignment import Bead, format_alignment
from aligner.edition import Edition, link_id, tool_version, write_edition, xml_safe
from aligner.files import write_atomic
from aligner.segment import join_sentences
from aligner.witness import Witness

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
RTL_LANGUAGES = frozenset({"ar", "arc", "dv", "fa", "he", "ks", "ku", "ps", "sd", "syr", "ug", "ur", "yi"})
TSV_COLUMNS = (
    "pivot",
    "witness",
    "link",
    "type",
    "confidence",
    "pivot_ids",
    "witness_ids",
    "pivot_text",
    "witness_text",
    "resp",
    "note",
)


def bead_rows(edition: Edition) -> Iterator[tuple[Witness, str, Bead, list[str], list[str]]]:
    """Every bead of every pair: witness, bead id (as in the TEI), bead, pivot ids, witness ids."""
    pivot_ids = edition.pivot.segment_ids()
    for witness, pair in zip(edition.witnesses, edition.alignments, strict=True):
        witness_ids = witness.segment_ids()
        for bead in pair.beads:
            yield (
                witness,
                link_id(witness.id, bead),
                bead,
                [pivot_ids[i] for i in bead.pivot],
                [witness_ids[i] for i in bead.witness],
            )


def _joined(witness: Witness, indices: tuple[int, ...]) -> str:
    return join_sentences([witness.segments[i].text for i in indices], witness.lang)


def _tsv_field(text: str) -> str:
    """One TSV field: tabs and line breaks would break the row, so they become spaces."""
    return " ".join(xml_safe(text).replace("\t", " ").splitlines())


def tsv(edition: Edition) -> bytes:
    lines = ["\t".join(TSV_COLUMNS)]
    for witness, bead_id, bead, pivot_ids, witness_ids in bead_rows(edition):
        fields = (
            edition.pivot.id,
            witness.id,
            bead_id,
            f"{len(bead.pivot)}-{len(bead.witness)}",
            repr(float(bead.confidence)),
            " ".join(pivot_ids),
            " ".join(witness_ids),
            _joined(edition.pivot, bead.pivot),
            _joined(witness, bead.witness),
            bead.resp or "",
            bead.note or "",
        )
        lines.append("\t".join(_tsv_field(field) for field in fields))
    return ("\n".join(lines) + "\n").encode("utf-8")


def tmx(edition: Edition) -> bytes:
    """TMX 1.4b: one ``tu`` per bead with text on both sides (a one-sided bead is no translation unit)."""
    root = etree.Element("tmx", version="1.4")
    etree.SubElement(
        root,
        "header",
        creationtool="aligner",
        creationtoolversion=tool_version(),
        segtype="sentence",
        adminlang="en",
        srclang=edition.pivot.lang,
        datatype="plaintext",
        **{"o-tmf": "aligner TEI"},
    )
    body = etree.SubElement(root, "body")
    for witness, bead_id, bead, pivot_ids, witness_ids in bead_rows(edition):
        if not bead.pivot or not bead.witness:
            continue
        tu = etree.SubElement(body, "tu", tuid=bead_id, srclang=edition.pivot.lang)
        if bead.note is not None:
            etree.SubElement(tu, "note").text = xml_safe(bead.note)
        props = [
            ("x-confidence", repr(float(bead.confidence))),
            ("x-pivot-ids", " ".join(pivot_ids)),
            ("x-witness-ids", " ".join(witness_ids)),
        ]
        if bead.resp is not None:
            props.append(("x-reviewed-by", bead.resp))
        for kind, value in props:
            etree.SubElement(tu, "prop", type=kind).text = xml_safe(value)
        for side, indices in ((edition.pivot, bead.pivot), (witness, bead.witness)):
            tuv = etree.SubElement(tu, "tuv", {XML_LANG: side.lang})
            etree.SubElement(tuv, "seg").text = xml_safe(_joined(side, indices))
    etree.indent(root, space=" ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


_CSS = """
body { font: 15px/1.45 Georgia, 'DejaVu Serif', serif; margin: 1.5em auto; max-width: 110em; padding: 0 1em;
  color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.5em; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th, td { border-bottom: 1px solid #ddd; padding: .35em .5em; vertical-align: top; text-align: start; }
th { background: #f3f1ec; position: sticky; top: 0; }
col.n { width: 15em; } col.c { width: 6em; }
table.review td:first-child { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.bead { padding: .25em .4em; border-left: 4px solid transparent; }
.bead + .bead { border-top: 1px dashed #ccc; }
.bead.low { background: #fde2e0; border-color: #c62828; }
.bead.mid { background: #fff6d6; border-color: #f9a825; }
.bead.reviewed { background: #e4f4e4; border-color: #2e7d32; }
.tag { font-size: .8em; margin-bottom: .15em; } .tag a { color: #555; }
span.none { color: #888; font-style: italic; }
.s { display: inline; }
.s + .s { border-left: 2px solid #9a9a9a; margin-left: .3em; padding-left: .3em; } /* sentence boundary */
.s::before { display: none; content: attr(data-id) " "; color: #666; font-size: .75em;
  font-family: 'DejaVu Sans Mono', monospace; }
#show-ids:checked ~ section .s::before { display: inline; }
dl.shapes { display: grid; grid-template-columns: max-content auto; gap: .1em 1em; font-size: .85em; }
dl.shapes dt { font-family: 'DejaVu Sans Mono', monospace; } dl.shapes dd { margin: 0; }
.toggle { font-size: .9em; color: #1a4d8f; cursor: pointer; }
.sid, .meta { color: #777; font-size: .8em; font-family: 'DejaVu Sans Mono', monospace; }
.badge { display: inline-block; padding: 0 .4em; border-radius: .3em; font-size: .8em;
  font-family: 'DejaVu Sans', sans-serif; }
.badge.low { background: #c62828; color: #fff; } .badge.mid { background: #f9a825; }
.badge.reviewed { background: #2e7d32; color: #fff; } .badge.ok { background: #ddd; }
.legend span { margin-right: 1.5em; }
table.review { font-size: .85em; margin-bottom: .5em; } table.review td { padding: .15em .5em; }
details summary { cursor: pointer; color: #1a4d8f; margin: .3em 0 1em; }
.note { display: block; font-size: .85em; color: #2e7d32; }
dl.witnesses { display: grid; grid-template-columns: max-content auto; gap: .1em 1em; font-size: .9em; }
dl.witnesses dt { font-weight: bold; } dl.witnesses dd { margin: 0; }
"""


def _esc(text: object) -> str:
    return html.escape(xml_safe(str(text)), quote=True)


def _dir(lang: str) -> str:
    return "rtl" if lang.split("-")[0].lower() in RTL_LANGUAGES else "ltr"


def _lang(lang: str) -> str:
    """``lang`` and ``dir`` attributes: right-to-left witnesses read right to left."""
    return f'lang="{_esc(lang)}" dir="{_dir(lang)}"'


def link_level(bead: Bead, threshold: float) -> str:
    """How a link is shown (here and in the browser review): reviewed, low (doubtful), mid or ok."""
    if bead.resp is not None:
        return "reviewed"
    if bead.confidence < threshold:
        return "low"
    return "mid" if bead.confidence < (1 + threshold) / 2 else "ok"


def _badge(bead: Bead, threshold: float) -> str:
    level = link_level(bead, threshold)
    # Shown rounded down, so that a doubtful 0.499 never reads as 0.50; the exact value is in the title.
    shown = math.floor(bead.confidence * 100) / 100
    label = f"✔ {_esc(bead.resp)}" if bead.resp is not None else f"{shown:.2f}"
    return f'<span class="badge {level}" title="{bead.confidence!r}">{label}</span>'


@dataclass
class ParallelRow:
    """One row of the side-by-side table: pivot sentences, and for every witness its beads there."""

    pivot: tuple[int, ...]
    beads: list[list[tuple[int, Bead]]]  # per witness, (bead number from 1, bead)


def parallel_rows(edition: Edition) -> list[ParallelRow]:
    """Rows where the beads of every witness start and end together on the pivot.

    With one witness a row is a bead. With several, beads that overlap on the pivot share a row; a
    bead with no pivot sentence has a row of its own where every witness has a bead boundary, and
    otherwise joins the row it falls in.
    """
    n, count = len(edition.pivot.segments), len(edition.witnesses)
    cuts = set(range(n + 1))
    for pair in edition.alignments:
        if pair.beads:
            cuts &= {bead.pivot[0] for bead in pair.beads if bead.pivot} | {0, n}
    ordered = sorted(cuts)
    main = {c: ParallelRow(tuple(range(c, end)), [[] for _ in range(count)]) for c, end in pairwise(ordered)}
    gaps: dict[int, ParallelRow] = {}

    def row_at(index: int, own_row: bool) -> ParallelRow:
        at = ordered[max(0, bisect_right(ordered, index) - 1)]
        if own_row or at not in main:
            return gaps.setdefault(at, ParallelRow((), [[] for _ in range(count)]))
        return main[at]

    for k, pair in enumerate(edition.alignments):
        position = 0  # where the next pivot sentence starts
        for number, bead in enumerate(pair.beads, 1):
            if bead.pivot:
                row, position = row_at(bead.pivot[0], False), bead.pivot[-1] + 1
            else:
                row = row_at(position, position in cuts)
            row.beads[k].append((number, bead))
    rows = []
    for c in ordered:
        rows += [gaps[c]] if c in gaps else []
        rows += [main[c]] if c in main else []
    return rows


def _sentences(witness: Witness, indices: tuple[int, ...]) -> str:
    """The sentences of one side, each its own span: a bar marks where one ends and the next begins,
    and its id shows when the reader asks for ids (the checkbox above the table)."""
    if not indices:
        return '<span class="none">— no counterpart —</span>'
    ids, segments = witness.segment_ids(), witness.segments
    return "".join(
        f'<span class="s" title="{_esc(ids[i])}" data-id="{_esc(ids[i])}">{_esc(segments[i].text)}</span>'
        for i in indices
    )


def _row_level(row: ParallelRow, threshold: float) -> str:
    """The pivot cell's colour: the least sure of the links it takes part in."""
    levels = {link_level(bead, threshold) for beads in row.beads for _, bead in beads}
    for level in ("low", "mid", "ok", "reviewed"):
        if level in levels:
            return level
    return "ok"


def _bead_box(witness: Witness, number: int, bead: Bead, threshold: float) -> str:
    bead_id = link_id(witness.id, bead)
    shape = f"{len(bead.pivot)}-{len(bead.witness)}"
    note = f'<span class="note">{_esc(bead.note)}</span>' if bead.note else ""
    return (
        f'<div class="bead {link_level(bead, threshold)}" id="{_esc(bead_id)}"><div class="tag">'
        f'<a href="#{_esc(bead_id)}">{_esc(bead_id)}</a> <span class="sid">{shape}</span> '
        f"{_badge(bead, threshold)}</div>{_sentences(witness, bead.witness)}{note}</div>"
    )


def _snippet(witness: Witness, indices: tuple[int, ...], width: int = 90) -> str:
    text = _joined(witness, indices) or "—"
    return _esc(text if len(text) <= width else text[: width - 1] + "…")


def _review_list(edition: Edition, threshold: float, shown: int = 40) -> list[str]:
    """The doubtful links first, lowest confidence on top, ties in reading order: where a scholar's
    time is best spent."""
    pivot, rows = edition.pivot, list(bead_rows(edition))
    doubtful = [
        row
        for _, row in sorted(
            ((position, row) for position, row in enumerate(rows)),
            key=lambda item: (item[1][2].confidence, item[0]),
        )
        if row[2].resp is None and row[2].confidence < threshold
    ]
    reviewed = sum(1 for row in rows if row[2].resp is not None)
    out = [
        '<section id="review">',
        f"<h2>To review: {len(doubtful)} of {len(rows)} links below confidence {threshold:.2f}"
        f" ({reviewed} reviewed)</h2>",
    ]
    if not doubtful:
        return [*out, "<p>No unreviewed link is below the threshold.</p></section>"]
    out.append('<table class="review"><colgroup><col class="n"><col class="c"><col><col></colgroup><tbody>')
    for k, (witness, bead_id, bead, _, _) in enumerate(doubtful):
        if k == shown:
            out.append(
                f"</tbody></table><details><summary>{len(doubtful) - shown} more doubtful links</summary>"
                '<table class="review"><colgroup><col class="n"><col class="c"><col><col></colgroup><tbody>'
            )
        out.append(
            f'<tr><td><a href="#{_esc(bead_id)}" title="{_esc(bead_id)}">{_esc(bead_id)}</a></td>'
            f"<td>{_badge(bead, threshold)}</td>"
            f"<td {_lang(pivot.lang)}>{_snippet(pivot, bead.pivot)}</td>"
            f"<td {_lang(witness.lang)}>{_snippet(witness, bead.witness)}</td></tr>"
        )
    out.append("</tbody></table>" + ("</details>" if len(doubtful) > shown else "") + "</section>")
    return out


def html_page(edition: Edition, threshold: float | None = None) -> bytes:
    """A self-contained page (inline CSS, no script, no external asset): witnesses side by side.

    Links below ``threshold`` (default: the edition's review threshold) are flagged as doubtful.
    """
    threshold = edition.review_threshold if threshold is None else threshold
    pivot = edition.pivot
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(edition.title or 'Parallel edition')}</title>",
        f'<meta name="generator" content="aligner {_esc(tool_version())}">',
        f"<style>{_CSS}</style></head>",
        "<body>",
        f"<h1>{_esc(edition.title or 'Parallel edition')}</h1>",
        '<dl class="witnesses">',
    ]
    for witness in [pivot, *edition.witnesses]:
        meta = witness.meta
        parts = [
            meta.title,
            meta.author,
            meta.translator and f"tr. {meta.translator}",
            meta.publisher,
            meta.date,
        ]
        role = "pivot" if witness is pivot else meta.role
        out.append(
            f"<dt>{_esc(witness.id)}</dt><dd><span {_lang(meta.lang)}>"
            f"{_esc(', '.join(p for p in parts if p))}</span> "
            f'<span class="meta">[{_esc(meta.lang)}, {_esc(role)}, {len(witness.segments)} sentences]'
            "</span></dd>"
        )
    out.append("</dl>")
    if edition.model:
        out.append(f'<p class="meta">Aligned with the sentence-embedding model {_esc(edition.model)}.</p>')

    example = edition.witnesses[0].id if edition.witnesses else "witness"
    out += [
        '<p class="legend">Legend: '
        f'<span><span class="badge low">0.12</span> doubtful (confidence &lt; {threshold:.2f})</span>'
        f'<span><span class="badge mid">0.60</span> uncertain (&lt; {(1 + threshold) / 2:.2f})</span>'
        '<span><span class="badge ok">0.95</span> confident</span>'
        '<span><span class="badge reviewed">✔ name</span> reviewed by hand</span>'
        "Both cells of a link take its colour; a grey bar separates the sentences inside a link.</p>",
        '<dl class="shapes">'
        f"<dt>1-1</dt><dd>a link joins one sentence of {_esc(pivot.id)} (the pivot) with one of the"
        " witness</dd>"
        "<dt>1-2, 2-1, 2-3 ...</dt><dd>M-N: M pivot sentences with N witness sentences, one translation"
        " of the other (a sentence split or joined by the translator)</dd>"
        "<dt>1-0, 0-1</dt><dd>a sentence with no counterpart on the other side (left out or added)</dd>"
        f"<dt>{_esc(example)}.p4.w3-4</dt><dd>a link's id: the witness, then the numbers of its pivot (p)"
        " and witness (w) sentences</dd></dl>",
        '<input type="checkbox" id="show-ids">'
        '<label class="toggle" for="show-ids"> show sentence ids</label>',
    ]
    out += _review_list(edition, threshold)
    out.append('<section id="parallel"><h2>Side by side</h2><table class="parallel"><thead><tr>')
    for witness in [pivot, *edition.witnesses]:
        out.append(f"<th>{_esc(witness.id)} ({_esc(witness.lang)})</th>")
    out.append("</tr></thead><tbody>")
    for row in parallel_rows(edition):
        pivot_box = f'<div class="bead {_row_level(row, threshold)}">{_sentences(pivot, row.pivot)}</div>'
        cells = [f"<td {_lang(pivot.lang)}>{pivot_box}</td>"]
        for witness, beads in zip(edition.witnesses, row.beads, strict=True):
            boxes = "".join(_bead_box(witness, number, bead, threshold) for number, bead in beads)
            cells.append(f"<td {_lang(witness.lang)}>{boxes}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></section>")
    out.append(f'<p class="meta">Generated by aligner {_esc(tool_version())} from the TEI edition.</p>')
    out.append("</body></html>")
    return ("\n".join(out) + "\n").encode("utf-8")


def output_path(out: Path, suffix: str) -> Path:
    """``output/name`` + ``.tsv`` -> ``output/name.tsv`` (the prefix may itself contain dots)."""
    out = Path(out)
    return out.with_name(out.name + suffix)


def write_tsv(edition: Edition, path: Path) -> None:
    write_atomic(path, tsv(edition))


def write_tmx(edition: Edition, path: Path) -> None:
    write_atomic(path, tmx(edition))


def write_html(edition: Edition, path: Path) -> None:
    write_atomic(path, html_page(edition))


def write_exports(edition: Edition, out: Path) -> list[Path]:
    """TSV, TMX, HTML and one Vecalign-format ``.align`` file per witness beside a TEI edition.

    This is what ``aligner export`` re-derives after a review, so no export lags behind the edition.
    """
    paths = []
    for suffix, data in export_files(edition):
        paths.append(output_path(out, suffix))
        write_atomic(paths[-1], data)
    return paths


def export_files(edition: Edition) -> list[tuple[str, bytes]]:
    """The exports as (suffix, bytes), unwritten: a corpus worker makes them, its client writes them."""
    files = [(".tsv", tsv(edition)), (".tmx", tmx(edition)), (".html", html_page(edition))]
    for witness, pair in zip(edition.witnesses, edition.alignments, strict=True):
        files.append((f".{witness.id}.align", format_alignment(pair.beads).encode("utf-8")))
    return files


def write_outputs(edition: Edition, out: Path) -> list[Path]:
    """The TEI edition and its exports under the prefix ``out``: ``.tei.xml``, .tsv, .tmx, .html, .align."""
    tei = output_path(out, ".tei.xml")
    write_edition(edition, tei)
    return [tei, *write_exports(edition, out)]
