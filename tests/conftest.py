"""Shared fixtures: the sample government web on loopback, paths to the shared material."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def sample_web():
    """The sample government web, night 0, on free loopback ports for the whole session."""
    from sampleweb.server import SampleWeb

    with SampleWeb(night=0, port=0) as web:
        yield web


@pytest.fixture
def corpus_dir() -> Path:
    """``../shared/corpus`` (real saved pages); tests using it skip when it is absent."""
    path = SHARED / "corpus"
    if not path.is_dir():
        pytest.skip("../shared/corpus is not present")
    return path


@pytest.fixture
def seeds_dir() -> Path:
    """``../shared/seeds``; tests using it skip when it is absent."""
    path = SHARED / "seeds"
    if not path.is_dir():
        pytest.skip("../shared/seeds is not present")
    return path
