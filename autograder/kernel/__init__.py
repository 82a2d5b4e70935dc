"""What runs inside the student's kernel: the visible checks' helpers, the judge's harness, the
environment check and the progress table. Nothing here decides a grade."""
import sys
import warnings

# The MIME type of the harness's reply: a string of JSON (not a +json type: nbformat would parse it).
REPLY_MIME = "application/x-autograder-reply"

_stdout = sys.stdout


def _show_warning_on_stdout(message, category, filename, lineno, file=None, line=None):
    """warnings.showwarning replacement: Python's text, written to stdout instead of stderr."""
    out = sys.stdout if sys.stdout is not None else _stdout
    out.write(warnings.formatwarning(message, category, filename, lineno, line))


def warnings_to_stdout():
    """Print warnings (torch's included) on stdout: a test cell that writes to stderr scores 0 in
    nbgrader, and a warning is not a mistake."""
    warnings.showwarning = _show_warning_on_stdout
