"""What the browser benchmarks share: Debian's chromium run offline, and an edition to work on."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "output/mastering-bolshevism.tei.xml"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def edition_copy(edition: Path, work: Path, name: str) -> Path:
    """``work/NAME.tei.xml``: a copy of ``edition``, or the bundled texts aligned afresh if it is missing."""
    copy = work / f"{name}.tei.xml"
    if edition.is_file():
        shutil.copyfile(edition, copy)
    else:
        from aligner.cli import main as cli

        assert cli(["align", "--out", str(work / name)]) == 0
    return copy
