"""Where the tests find their data: the bundled texts of the repository, and ``../shared`` beside it
(Text+Berg gold alignments, the TEI schema), which the project references but never copies; and the
browser the HTML and web-review tests drive (Debian's chromium, offline: no background networking)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "translations"
SHARED = ROOT.parent / "shared"
TEXTBERG = SHARED / "bench" / "textberg"
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
