"""Every alignment parameter is recorded in the edition and read back; the review threshold an edition
was made with is the one its review and exports use. The bundled alignment is locked by a snapshot."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from pathlib import Path

import pytest

from aligner import review
from aligner.align import (
    CONFIDENCE_FEATURES,
    CONFIDENCE_WEIGHTS,
    DEFAULT_PARAMS,
    AlignParams,
    parameter_record,
    params_from_record,
)
from aligner.align.params import LENGTH_MODES, MARGIN_MODES
from aligner.alignment import REVIEW_THRESHOLD
from aligner.cli import main
from aligner.edition import REVIEW_PARAMETER, Edition, read_edition, validate, write_edition
from aligner.errors import AlignerError
from aligner.export import html_page

# An intended change of the bundled alignment: regenerate with
#   aligner align --out /tmp/mb && cp /tmp/mb.en-1937.align tests/data/mastering-bolshevism.en-1937.align
SNAPSHOT = Path(__file__).parent / "data" / "mastering-bolshevism.en-1937.align"


def test_the_bundled_alignment_is_the_one_of_the_snapshot(bundled_edition: Path):
    fresh = bundled_edition.with_name("mb.en-1937.align").read_text(encoding="utf-8")
    assert fresh.splitlines() == SNAPSHOT.read_text(encoding="utf-8").splitlines()


def every_field_changed() -> AlignParams:
    """Parameters differing from the defaults in every field."""
    changed: dict[str, object] = {}
    for f in dataclasses.fields(AlignParams):
        default = getattr(DEFAULT_PARAMS, f.name)
        if f.name == "shapes":
            changed[f.name] = ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (2, 2))
        elif isinstance(default, str):  # another mode
            modes = {"margin_mode": MARGIN_MODES, "length_mode": LENGTH_MODES}[f.name]
            changed[f.name] = next(mode for mode in modes if mode != default)
        elif isinstance(default, int):
            changed[f.name] = default + 1
        else:
            changed[f.name] = default + 0.125
    params = AlignParams(**changed)  # type: ignore[arg-type]
    assert all(getattr(params, f.name) != getattr(DEFAULT_PARAMS, f.name) for f in dataclasses.fields(params))
    return params


def test_every_parameter_goes_through_the_tei_and_back(hand_edition: Edition, tmp_path: Path):
    params = every_field_changed()
    recorded = {**parameter_record(params), REVIEW_PARAMETER: "0.3"}
    path = tmp_path / "params.tei.xml"
    write_edition(replace(hand_edition, parameters=recorded), path)
    validate(path)
    back = read_edition(path)
    assert back.parameters == recorded
    assert {f.name for f in dataclasses.fields(AlignParams)} <= set(back.parameters)
    assert params_from_record(back.parameters) == params
    assert back.parameters["confidence_weights"].split() == [
        f"{name}={weight}" for name, weight in zip(CONFIDENCE_FEATURES, CONFIDENCE_WEIGHTS, strict=True)
    ]
    assert back.review_threshold == 0.3


def test_the_review_threshold_of_the_edition_is_the_one_review_and_export_use(
    hand_edition: Edition, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    path = tmp_path / "strict.tei.xml"
    write_edition(replace(hand_edition, parameters={REVIEW_PARAMETER: "0.3"}), path)
    edition = read_edition(path)
    low, usual = review.counts(edition, 0.3, [0])[1], review.counts(edition, REVIEW_THRESHOLD, [0])[1]
    assert 0 < low < usual  # the two thresholds list different links, so the test can tell them apart
    assert review.listing(edition)[0].startswith(f"{len(edition.alignments[0].beads)} links, {low} doubtful")
    assert "confidence < 0.3," in review.listing(edition)[0]
    page = html_page(edition).decode("utf-8")
    assert "doubtful (confidence &lt; 0.30)" in page and f"To review: {low} of" in page
    assert main(["review", str(path)]) == 0
    assert capsys.readouterr().out.startswith(f"{len(edition.alignments[0].beads)} links, {low} doubtful")
    assert main(["review", str(path), "--threshold", str(REVIEW_THRESHOLD)]) == 0
    assert f", {usual} doubtful" in capsys.readouterr().out.splitlines()[0]


def test_an_edition_without_a_recorded_threshold_uses_the_default(hand_edition: Edition):
    parameters = {k: v for k, v in hand_edition.parameters.items() if k != REVIEW_PARAMETER}
    older = replace(hand_edition, parameters=parameters)
    assert older.review_threshold == REVIEW_THRESHOLD


def test_a_recorded_threshold_that_is_not_one_is_refused_in_one_line(hand_edition: Edition, tmp_path: Path):
    path = tmp_path / "bad.tei.xml"
    write_edition(replace(hand_edition, parameters={REVIEW_PARAMETER: "high"}), path)
    with pytest.raises(AlignerError, match="review_threshold 'high' is not a number between 0 and 1"):
        read_edition(path)


def test_recorded_parameters_that_are_not_numbers_are_refused():
    with pytest.raises(AlignerError, match="margin_weight"):
        params_from_record({"margin_weight": "strong"})
    with pytest.raises(AlignerError, match="bead shapes"):
        params_from_record({"shapes": "1-1 two"})
    with pytest.raises(AlignerError, match="margin_mode 'nearest' is not one of knn, adjacent"):
        params_from_record({"margin_mode": "nearest"})
    assert params_from_record({}) == DEFAULT_PARAMS
