"""Where the tests find their data: the bundled texts of the repository, and ``../shared`` beside it
(Text+Berg gold alignments, the TEI schema), which the project references but never copies."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "translations"
SHARED = ROOT.parent / "shared"
TEXTBERG = SHARED / "bench" / "textberg"
