"""Command line: ``loyalty-research data [--check]``."""

from __future__ import annotations

import argparse
import filecmp
import sys
import tempfile
from pathlib import Path

from .datasets import DATA_DIR, write_golf_data

__all__ = ["main"]


def _data(args: argparse.Namespace) -> int:
    if not args.check:
        for path in write_golf_data(args.out):
            print(f"wrote {path}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        fresh = write_golf_data(tmp)
        changed = [
            p.name for p in fresh if not filecmp.cmp(p, Path(args.out or DATA_DIR) / p.name, shallow=False)
        ]
    if changed:
        print(f"regenerated data differ from the bundled files: {', '.join(changed)}", file=sys.stderr)
        return 1
    print("regenerated data are byte-identical to the bundled files")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="loyalty-research", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    data = commands.add_parser("data", help="regenerate the bundled golf-survey files")
    data.add_argument("--check", action="store_true", help="only check that regeneration is byte-identical")
    data.add_argument("--out", type=Path, default=None, help="folder to write to (default: data/)")
    data.set_defaults(run=_data)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
