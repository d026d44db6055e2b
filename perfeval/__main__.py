"""``python -m perfeval``: the same command line as ``perfeval``."""

from __future__ import annotations

from perfeval.cli import console

if __name__ == "__main__":
    raise SystemExit(console())
