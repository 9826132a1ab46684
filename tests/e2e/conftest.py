"""Fixtures for the end-to-end tests.

Run with Debian's interpreter (the oracle needs its zc.buildout):

    /usr/bin/python3 -m pytest tests/e2e

MINIMERGE names the binary under test (default: <repo>/build/minimerge).
"""

import os
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, 'tests', 'oracle'))

import corpus  # noqa: E402


@pytest.fixture(scope='session')
def minimerge():
    """Path of the minimerge binary under test."""
    path = os.environ.get('MINIMERGE', os.path.join(REPO, 'build', 'minimerge'))
    if not os.access(path, os.X_OK):
        pytest.fail('minimerge binary not found or not executable: %s '
                    '(build it, or set MINIMERGE)' % path)
    return path


@pytest.fixture(scope='session')
def home_dir(tmp_path_factory):
    """An empty directory used as HOME (and cwd) by both tools."""
    return str(tmp_path_factory.mktemp('home'))


@pytest.fixture(scope='session')
def oracle(home_dir):
    """oracle(case, annotate=False) -> (rc, JSON or annotate text, stderr),
    cached for the session (the oracle is deterministic for a given HOME)."""
    cache = {}

    def run(case, annotate=False):
        key = (case.name, annotate)
        if key not in cache:
            cache[key] = corpus.run_oracle(case, home_dir, annotate)
        return cache[key]
    return run


@pytest.fixture(scope='session')
def run_minimerge(minimerge, home_dir):
    """run_minimerge(case, annotate=False) -> CompletedProcess, in the same
    environment as the oracle."""
    def run(case, annotate=False):
        return corpus.run(case.minimerge_argv(minimerge, annotate),
                          case.env(home_dir), cwd=home_dir)
    return run
