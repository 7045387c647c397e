"""Review in the browser: ``aligner serve EDITION`` (see ``aligner.web.app``)."""
