"""Fixtures for every test."""
import pytest


@pytest.fixture(autouse=True)
def _no_process_language_left_behind(monkeypatch):
    """The student's commands (make lab's workspace, progress, a kernel's first check) set this process's
    language (autograder.i18n.set_language): undone after each test, so that no test speaks the language
    another one chose (a chapter test that sets up a workspace once made the pipeline tests after it in
    the same worker speak Chinese)."""
    from autograder import i18n

    monkeypatch.setattr(i18n, "_process_language", None)
