"""aligner: align translations with their original and publish TEI parallel editions."""

__version__ = "0.1.0"
