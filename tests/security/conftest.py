"""Counts the security suites report at the end of a run (``make test`` prints them)."""

from __future__ import annotations

COUNTS: dict[str, str] = {}


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if COUNTS:
        terminalreporter.section("security suites")
        for name, text in COUNTS.items():
            terminalreporter.write_line(f"{name}: {text}")
