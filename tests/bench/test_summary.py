"""The bench's figures of a path's times are computed in one place (``bench.run.summary``): B1 to B5
through ``interleaved``, B6 through its page walk. Nothing here looks at a time."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture
def run(monkeypatch):
    # bench.run points DATABASE_URL at BENCH_DATABASE_URL when imported: keep it where it is
    current = os.environ.get("DATABASE_URL", "")
    monkeypatch.setenv("DATABASE_URL", current)
    monkeypatch.setenv("BENCH_DATABASE_URL", current)
    from bench import run

    return run


def test_a_summary_is_min_median_and_runs_in_ms_rounded(run):
    assert run.summary([3.0, 1.0, 2.0, 10.004]) == {"min_ms": 1.0, "median_ms": 2.5, "runs": 4}
    assert run.summary([1.23456]) == {"min_ms": 1.23, "median_ms": 1.23, "runs": 1}


@pytest.mark.django_db
def test_interleaved_reports_the_summary_and_the_queries(run):
    (figures,) = run.interleaved({"nothing": lambda: None}, 3).values()
    assert set(figures) == {"min_ms", "median_ms", "runs", "queries"}
    assert figures["runs"] == 3 and figures["queries"] == 0


def _medians_of_samples(tree) -> list[ast.Dict]:
    """Figures written as ``{"median_ms": …median(samples)…}``."""
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Dict)
        and any(
            isinstance(k, ast.Constant) and k.value == "median_ms" and "median(" in ast.unparse(v)
            for k, v in zip(node.keys, node.values, strict=True)
        )
    ]


def test_no_benchmark_computes_its_own_min_and_median():
    """``{"min_ms", "median_ms", "runs"}`` of a path's times only in ``bench.run.summary``: a
    second copy would drift (rounding, which runs count) from the first. (B4's HTTP rates are
    another quantity: their median is of requests per second.)"""
    found = []
    for path in sorted(BENCH.glob("*.py")):
        tree = ast.parse(path.read_text())
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        for node in _medians_of_samples(tree):
            inner = [f.name for f in functions if f.lineno <= node.lineno <= f.end_lineno]
            found.append(f"{path.name}:{inner[-1] if inner else '-'}")
    assert found == ["run.py:summary"]
