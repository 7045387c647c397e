"""The edition is the scholar's document: what they add to the TEI by hand survives every write
(a review decision, an export, aligning again), and the manifest or the command line can fill the
publication statement itself."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree
from paths import TEXTBERG, TRANSLATIONS

from aligner import review
from aligner.cli import main
from aligner.edition import (
    SCHEMA_URL,
    TEI,
    XML_ID,
    XML_LANG,
    Edition,
    link_id,
    read_edition,
    validate,
    write_edition,
)

NS = {"t": TEI}
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
WIKIDATA = "https://www.wikidata.org/wiki/Q855"


def _edit_by_hand(path: Path) -> None:
    """What a scholar does in oXygen before publishing: a real publicationStmt with a CC BY licence,
    a Wikidata @ref on the original's author, a note, their own respStmt, a project description,
    front matter, and a note of their own in the standOff."""
    tree = etree.parse(str(path))
    root = tree.getroot()
    file_desc = root.find("t:teiHeader/t:fileDesc", NS)
    publication = file_desc.find("t:publicationStmt", NS)
    publication.getparent().replace(
        publication,
        etree.fromstring(
            f'<publicationStmt xmlns="{TEI}"><publisher>Institute of History</publisher>'
            "<pubPlace>Oxford</pubPlace><date when='2026'>2026</date><availability>"
            f'<licence target="{CC_BY}">CC BY 4.0</licence></availability></publicationStmt>'
        ),
    )
    author = file_desc.find("t:sourceDesc/t:listWit/t:witness[@corresp='#ru-1937']/t:bibl/t:author", NS)
    author.set("ref", WIKIDATA)
    title_stmt = file_desc.find("t:titleStmt", NS)
    title_stmt.append(
        etree.fromstring(f'<respStmt xmlns="{TEI}"><resp>encoding</resp><name>Olga Editor</name></respStmt>')
    )
    file_desc.find("t:sourceDesc", NS).addprevious(
        etree.fromstring(f'<notesStmt xmlns="{TEI}"><note>Prepared for the 2026 seminar.</note></notesStmt>')
    )
    encoding = root.find("t:teiHeader/t:encodingDesc", NS)
    encoding.insert(
        0, etree.fromstring(f'<projectDesc xmlns="{TEI}"><p>A seminar edition.</p></projectDesc>')
    )
    outer = root.find("t:text", NS)
    outer.insert(0, etree.fromstring(f'<front xmlns="{TEI}"><p>Editor\'s preface.</p></front>'))
    root.find("t:standOff", NS).append(
        etree.fromstring(f'<note xmlns="{TEI}" type="editorial">See also the 1938 edition.</note>')
    )
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")


def _assert_edits_kept(path: Path) -> None:
    validate(path)
    root = etree.parse(str(path)).getroot()
    header = root.find("t:teiHeader", NS)
    publication = header.find("t:fileDesc/t:publicationStmt", NS)
    assert publication.findtext("t:publisher", namespaces=NS) == "Institute of History"
    assert publication.findtext("t:pubPlace", namespaces=NS) == "Oxford"
    assert publication.find("t:availability/t:licence", NS).get("target") == CC_BY
    author = header.find(".//t:witness[@corresp='#ru-1937']/t:bibl/t:author", NS)
    assert author.get("ref") == WIKIDATA and author.text == "И. В. Сталин"
    names = [n.text for n in header.iterfind("t:fileDesc/t:titleStmt/t:respStmt/t:name", NS)]
    assert "Olga Editor" in names and "aligner" in names
    assert header.findtext("t:fileDesc/t:notesStmt/t:note", namespaces=NS) == "Prepared for the 2026 seminar."
    assert header.findtext("t:encodingDesc/t:projectDesc/t:p", namespaces=NS) == "A seminar edition."
    assert root.findtext("t:text/t:front/t:p", namespaces=NS) == "Editor's preface."
    assert (
        root.findtext("t:standOff/t:note[@type='editorial']", namespaces=NS) == "See also the 1938 edition."
    )


def test_header_edits_survive_a_review_decision(hand_edition: Edition, tmp_path: Path) -> None:
    path = tmp_path / "mb.tei.xml"
    write_edition(hand_edition, path)
    _edit_by_hand(path)
    edition = read_edition(path)
    pair = edition.alignments[0]
    beads = review.accept(pair.beads, 0, "Boris")
    changed = replace(edition, alignments=[replace(pair, beads=beads)])
    write_edition(review.record(changed, "Boris", "accepted link 1"), path)
    _assert_edits_kept(path)
    again = read_edition(path)
    assert again.alignments[0].beads[0].resp == "Boris"
    assert "Boris" in [n.text for n in etree.parse(str(path)).iterfind(".//t:respStmt/t:name", NS)]


def test_an_edition_written_before_titles_were_tagged_gets_the_tags_and_keeps_the_scholar_s_ref(
    hand_edition: Edition, tmp_path: Path
) -> None:
    path = tmp_path / "mb.tei.xml"
    write_edition(hand_edition, path)
    tree = etree.parse(str(path))
    bibl = tree.find(".//t:witness[@corresp='#ru-1937']/t:bibl", NS)
    for field in bibl:
        field.attrib.pop(XML_LANG, None)  # as aligner wrote it until December 2026
    bibl.find("t:author", NS).set("ref", WIKIDATA)
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    write_edition(read_edition(path), path)
    author = etree.parse(str(path)).find(".//t:witness[@corresp='#ru-1937']/t:bibl/t:author", NS)
    assert (author.get("ref"), author.get(XML_LANG), author.text) == (WIKIDATA, "ru", "И. В. Сталин")


def test_header_edits_survive_export_and_realignment(
    bundled_edition: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mb.tei.xml"
    path.write_bytes(bundled_edition.read_bytes())
    _edit_by_hand(path)
    assert main(["export", str(path)]) == 0
    _assert_edits_kept(path)
    assert main(["export", str(path), "--out", str(tmp_path / "copy")]) == 0
    _assert_edits_kept(tmp_path / "copy.tei.xml")
    # a review merges two links before the text is aligned again
    edition = read_edition(path)
    pair = edition.alignments[0]
    merged = review.merge(pair.beads, 10, "next", "Boris")
    write_edition(replace(edition, alignments=[replace(pair, beads=merged)]), path)
    before_links = _links(path)
    merged_id = link_id("en-1937", merged[10])
    assert merged_id in before_links
    capsys.readouterr()
    assert main(["align", "--out", str(tmp_path / "mb")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "kept 1 reviewed link(s) of the previous edition" in out
    assert f"next: aligner review {path} --interactive   (fix the doubtful links)" in out
    _assert_edits_kept(path)
    after_links = _links(path)
    assert after_links[merged_id] == before_links[merged_id]  # the reviewed link kept its id
    shared = before_links.keys() & after_links.keys()
    assert len(shared) > 400 and all(before_links[k] == after_links[k] for k in shared)
    # reading and writing again changes nothing: the carried-over parts are stable
    before = path.read_bytes()
    write_edition(read_edition(path), path)
    assert path.read_bytes() == before


def test_the_command_line_and_a_file_beside_a_text_fill_the_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no manifest here: the bundled one does not describe these files
    de, fr = tmp_path / "brief.de", tmp_path / "brief.fr"
    de.write_bytes((TEXTBERG / "test4.de").read_bytes())
    fr.write_bytes((TEXTBERG / "test4.fr").read_bytes())
    (tmp_path / "brief.fr.toml").write_text(
        'title = "Lettre"\ntranslator = "Marie Curie"\ndate = "1950"\n', encoding="utf-8"
    )
    options = ["--publisher", "Institute of History", "--place", "Bern", "--date", "2026-12-01"]
    options += ["--licence", "CC BY 4.0", "--author", "Hans Muster"]
    assert main(["align", f"{de}:de", f"{fr}:fr", "--out", "out/brief", *options]) == 0
    path = tmp_path / "out" / "brief.tei.xml"
    validate(path)
    header = etree.parse(str(path)).getroot().find("t:teiHeader/t:fileDesc", NS)
    # a title made for the witnesses aligned, not the bundled manifest's Russian–English one
    title = header.findtext("t:titleStmt/t:title", namespaces=NS)
    assert "German" in title and "French" in title and "Russian" not in title
    assert header.findtext("t:titleStmt/t:author", namespaces=NS) == "Hans Muster"
    publication = header.find("t:publicationStmt", NS)
    assert [etree.QName(c).localname for c in publication] == [
        "publisher",
        "pubPlace",
        "date",
        "availability",
    ]
    assert publication.find("t:date", NS).get("when") == "2026-12-01"
    assert publication.find("t:availability/t:licence", NS).get("target") == CC_BY
    french = header.find("t:sourceDesc/t:listWit/t:witness[@corresp='#brief']/t:bibl", NS)
    french = french if french is not None else header.find(".//t:witness[@corresp='#brief.fr']/t:bibl", NS)
    assert french.findtext("t:title", namespaces=NS) == "Lettre"
    assert french.findtext("t:editor[@role='translator']", namespaces=NS) == "Marie Curie"


def _local_manifest(folder: Path) -> Path:
    """A scholar's working folder: the bundled texts copied into ./translations with a manifest of
    their own, which names a German witness the bundled manifest does not have."""
    local = folder / "translations"
    local.mkdir()
    for name in ("en-1937-mastering-bolshevism.txt",):
        (local / name).write_bytes((TRANSLATIONS / name).read_bytes())
    (local / "de-1950.txt").write_bytes((TEXTBERG / "test4.de").read_bytes())
    (local / "manifest.toml").write_text(
        '[edition]\ntitle = "Two texts"\npivot = "en-1937"\npublisher = "Seminar"\nlicence = "CC0"\n\n'
        '[[witness]]\nid = "en-1937"\nlang = "en"\nrole = "original"\ntitle = "Mastering Bolshevism"\n'
        'files = ["en-1937-mastering-bolshevism.txt"]\n\n'
        '[[witness]]\nid = "de-1950"\nlang = "de"\ntitle = "Brief"\nfiles = ["de-1950.txt"]\n',
        encoding="utf-8",
    )
    return local / "manifest.toml"


def test_a_manifest_in_the_current_folder_is_found_and_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = _local_manifest(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["witnesses"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"# manifest {manifest.resolve()}"
    assert [line.split("\t")[0] for line in out[1:]] == ["en-1937", "de-1950"]
    assert main(["segment", "ru-1937"]) == 1  # not in this manifest: the message says which was read
    err = capsys.readouterr().err
    assert f"manifest {manifest.resolve()}" in err and "en-1937, de-1950" in err
    # align reads it too: says so, and its [edition] table fills the title and publication statements
    assert main(["align", "--out", "out/two"]) == 0
    assert f"witnesses from manifest {manifest.resolve()}" in capsys.readouterr().out
    header = etree.parse(str(tmp_path / "out" / "two.tei.xml")).getroot().find("t:teiHeader/t:fileDesc", NS)
    assert header.findtext("t:titleStmt/t:title", namespaces=NS) == "Two texts"
    assert header.findtext("t:publicationStmt/t:publisher", namespaces=NS) == "Seminar"
    licence = header.find("t:publicationStmt/t:availability/t:licence", NS)
    assert licence.get("target") == "https://creativecommons.org/publicdomain/zero/1.0/"
    # --manifest names another one, on every command that reads one
    assert main(["witnesses", "--manifest", str(TRANSLATIONS / "manifest.toml")]) == 0
    assert "ru-1937" in capsys.readouterr().out


def _no_java_environment(tmp_path: Path) -> dict[str, str]:
    """An empty PATH (no java, no jing; the tests' Python is called by its path), and a schema path
    that leads nowhere."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PATH", "ALIGNER_TEI_SCHEMA")}
    return {**env, "PATH": str(bin_dir), "ALIGNER_TEI_SCHEMA": str(tmp_path / "nowhere.rng")}


def test_review_needs_no_java_and_no_schema(hand_edition: Edition, tmp_path: Path) -> None:
    path = tmp_path / "mb.tei.xml"
    write_edition(hand_edition, path)
    env = _no_java_environment(tmp_path)
    python = sys.executable
    done = subprocess.run(
        [python, "-m", "aligner.cli", "review", str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "doubtful" in done.stdout or "below" in done.stdout
    decided = subprocess.run(
        [python, "-m", "aligner.cli", "review", str(path), "--interactive", "--reviewer", "Boris"],
        input="?\na\nq\n",
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert decided.returncode == 0, decided.stderr
    assert "p: the pivot, ru-1937 · w: the witness, en-1937" in decided.stdout  # '?' names both sides
    assert any(b.resp == "Boris" for b in read_edition(path).alignments[0].beads)
    # the full check says what is missing, in one line, and where to get it
    check = subprocess.run(
        [python, "-m", "aligner.cli", "validate", str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 1 and check.stderr.count("\n") == 1
    assert "apt install jing" in check.stderr and "brew install jing-trang" in check.stderr


def test_validate_names_where_to_get_the_schema(hand_edition: Edition, tmp_path: Path) -> None:
    path = tmp_path / "mb.tei.xml"
    write_edition(hand_edition, path)
    env = {**os.environ, "ALIGNER_TEI_SCHEMA": str(tmp_path / "nowhere.rng")}
    done = subprocess.run(
        [sys.executable, "-m", "aligner.cli", "validate", str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 1 and SCHEMA_URL in done.stderr
    assert main(["validate", str(path)]) == 0


def _links(path: Path) -> dict[str, list[str]]:
    """Every link of the edition file: its id and the sentences it joins; and the id says which they are."""
    links = {}
    for node in etree.parse(str(path)).iterfind("t:standOff/t:linkGrp/*", NS):
        targets = [t.removeprefix("#") for t in node.get("target").split()]
        pivot_id, witness_id = (d.removeprefix("#") for d in node.getparent().get("domains").split())
        named = []
        for part in node.get(XML_ID).removeprefix(witness_id + ".").split("."):
            first, _, last = part[1:].partition("-")
            prefix = pivot_id if part[0] == "p" else witness_id
            named += [f"{prefix}.s{n}" for n in range(int(first), int(last or first) + 1)]
        assert named == targets, (node.get(XML_ID), targets)
        links[node.get(XML_ID)] = targets
    return links


def test_link_ids_stay_bound_to_their_sentences_through_merges_and_splits(
    hand_edition: Edition, tmp_path: Path
) -> None:
    path = tmp_path / "mb.tei.xml"
    write_edition(hand_edition, path)
    seen = _links(path)
    beads = hand_edition.alignments[0].beads
    steps = [
        review.merge(beads, 5, "next", "Boris"),  # links 6 and 7 become one
        review.split(review.merge(beads, 5, "next", "Boris"), 5, 1, 0, "Boris"),  # split otherwise
        review.move(beads, 20, "witness", "next", "Boris"),
        review.detach(beads, 30, "pivot", beads[30].pivot[0], "Boris"),
    ]
    for changed in steps:
        edition = replace(hand_edition, alignments=[replace(hand_edition.alignments[0], beads=changed)])
        write_edition(edition, path)
        links = _links(path)  # each id spells out its sentences
        for known in links.keys() & seen.keys():
            assert links[known] == seen[known], known  # an id never names other sentences
        seen.update(links)
    merged = link_id("en-1937", review.merge(beads, 5, "next", "Boris")[5])
    assert merged == "en-1937.p6-7.w6-7" and merged not in _links(tmp_path / "mb.tei.xml")


def test_a_title_is_made_for_the_witnesses_aligned() -> None:
    from aligner.manifest import load_manifest
    from aligner.pipeline import edition_title
    from aligner.witness import Witness, WitnessMeta

    manifest = load_manifest(TRANSLATIONS / "manifest.toml")
    english = Witness(manifest.get("en-1937"), [])
    russian = Witness(manifest.get("ru-1937"), [])
    german = Witness(WitnessMeta(id="de-1950", lang="de", title="Über die Mängel"), [])
    assert edition_title(manifest, [russian, english], russian) == manifest.title
    title = edition_title(manifest, [english, german], english)
    assert title == "Mastering Bolshevism: English text (en-1937) and German translation (de-1950)"
    assert "Russian" not in edition_title(manifest, [english, german], english)


def test_after_an_undo_the_link_undone_comes_back_not_the_one_skipped(
    hand_edition: Edition, tmp_path: Path
) -> None:
    import io

    from aligner import pipeline

    path = tmp_path / "mb.tei.xml"
    write_edition(hand_edition, path)
    doubts = review.doubtful(hand_edition, hand_edition.review_threshold, [0])
    first, second, third = (link_id("en-1937", d.bead) for d in doubts[:3])
    out = io.StringIO()
    session = pipeline.review_session(path, None, None, "Boris", io.StringIO("k\na\nu\nq\n"), out)
    session.run()
    shown = [line.split(",")[0].removeprefix("link ") for line in out.getvalue().splitlines()]
    shown = [s for s in shown if s.startswith("en-1937.")]
    # skip the first, accept the second (the third comes), undo: the second again, not the skipped first
    assert shown == [first, second, third, second]
