"""The one exception the CLI turns into a one-line message and a non-zero exit."""


class AlignerError(Exception):
    """A problem with the user's input or files, worded for the user (no traceback is shown)."""
