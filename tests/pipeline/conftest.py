"""Fixtures of the pipeline's tests: real services (autograder/pipeline/services.py)."""
from __future__ import annotations

import os

import pytest

from autograder.pipeline import services


def missing(what: str):
    """Skip locally, fail in CI: CI must run what these tests check."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} (CI=1: .ci/run must install it)")
    pytest.skip(what)


def start(service, *args, **kwargs):
    try:
        return service(*args, **kwargs)
    except services.ServiceMissing as err:
        missing(str(err))


@pytest.fixture(scope="session")
def postgres():
    server = start(services.Postgres)
    yield server
    server.stop()
