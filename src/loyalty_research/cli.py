"""Command line of loyalty-research.

``loyalty-research data [--check]``: regenerate (or check) the bundled golf-survey files.
``loyalty-research reproduce``: run every notebook and compile ``paper/paper.pdf``.
``loyalty-research paper``: recompile the manuscript only.
``loyalty-research analyze --data S --codebook C --out DIR``: the analysis on your own survey.
``loyalty-research study [--full]``: the Monte Carlo method study of notebook 08, cached to a file.
"""

from __future__ import annotations

import argparse
import filecmp
import sys
import tempfile
from pathlib import Path

from ._defaults import DEFAULT_SEED

# each command imports what it needs, so that --help answers at once (the science stack takes seconds)

__all__ = ["main"]


def _data(args: argparse.Namespace) -> int:
    from .datasets import DATA_DIR, write_golf_data

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


def _reproduce(args: argparse.Namespace) -> int:
    from .pipeline import reproduce

    if _data(argparse.Namespace(check=True, out=None)) != 0:
        return 1
    try:
        timings = reproduce(args.root, build_dir=args.build)
    except (ValueError, RuntimeError) as error:
        print(f"loyalty-research reproduce: {error}", file=sys.stderr)
        return 2
    print(timings[["notebook", "seconds"]].to_string(index=False))
    print(f"total {timings['seconds'].sum():.0f} s; manuscript: {timings['output'].iloc[-1]}")
    return 0


def _paper(args: argparse.Namespace) -> int:
    from .pipeline import NOTEBOOK_DIR, build_paper

    try:
        print(f"wrote {build_paper(args.paper or NOTEBOOK_DIR.parent / 'paper')}")
    except (ValueError, RuntimeError) as error:
        print(f"loyalty-research paper: {error}", file=sys.stderr)
        return 2
    return 0


def _analyze(args: argparse.Namespace) -> int:
    from .pipeline import analyze
    from .survey import SurveyDataError

    try:
        index = analyze(
            args.data,
            args.codebook,
            args.out,
            loyalty=args.loyalty,
            satisfaction=args.satisfaction,
            value=args.value,
            concomitant=args.concomitant,
            trust=args.trust,
            segments=args.segments,
            n_boot=args.n_boot,
            random_state=args.seed,
        )
    except (SurveyDataError, ValueError, RuntimeError, OSError) as error:
        # one clear message and exit code 2, whatever went wrong; nothing was written
        print(f"loyalty-research analyze: {error}", file=sys.stderr)
        return 2
    print(f"report written to {index}")
    return 0


def _study(args: argparse.Namespace) -> int:
    import time

    from .simulation_study import StudyDesign, method_study, study_findings

    design = StudyDesign.full() if args.full else StudyDesign.quick()
    try:
        if args.replications is not None:
            design = design.with_replications(args.replications)
        output = args.output or _results_dir() / (
            "method_study.json" if args.full and args.replications is None else "method_study_quick.json"
        )
        start = time.perf_counter()
        study = method_study(design, random_state=args.seed, n_jobs=args.n_jobs, progress=not args.quiet)
        path = study.save(output)
    except (ValueError, OSError) as error:
        print(f"loyalty-research study: {error}", file=sys.stderr)
        return 2
    minutes = (time.perf_counter() - start) / 60
    print(
        f"{study.setting} setting: {len(study.replications):,} survey data sets and {len(study.noise)} "
        f"noise data sets in {minutes:.1f} min; written to {path}"
    )
    for paragraph in study_findings(study).values():
        print("\n" + paragraph)
    return 0


def _results_dir() -> Path:
    """``results/`` of this checkout, else of the working directory."""
    checkout = Path(__file__).resolve().parents[2]
    return (checkout if (checkout / "pyproject.toml").is_file() else Path.cwd()) / "results"


def _segments(text: str) -> int | tuple[int, int]:
    """``"4"`` fixes K; ``"2-5"`` is a range for BIC's choice."""
    try:
        bounds = [int(part) for part in text.split("-")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--segments must be a number or a range like 2-5, got {text!r}"
        ) from None
    if len(bounds) == 1 and bounds[0] >= 1:
        return bounds[0]
    if len(bounds) == 2 and 1 <= bounds[0] <= bounds[1]:
        return (bounds[0], bounds[1])
    raise argparse.ArgumentTypeError(
        f"--segments must be a number of at least 1 or a range like 2-5, got {text!r}"
    )


def _names(text: str) -> list[str]:
    """``"trust_a, trust_b"`` as a list of names; ``""`` as none."""
    return [name.strip() for name in text.split(",") if name.strip()]


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``loyalty-research``: one sub-command per task."""
    parser = argparse.ArgumentParser(prog="loyalty-research", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    data = commands.add_parser("data", help="regenerate the bundled golf-survey files")
    data.add_argument("--check", action="store_true", help="only check that regeneration is byte-identical")
    data.add_argument("--out", type=Path, default=None, help="folder to write to (default: data/)")
    data.set_defaults(run=_data)
    repro = commands.add_parser("reproduce", help="run every notebook in order and compile paper/paper.pdf")
    repro.add_argument("--root", type=Path, default=None, help="repository root (default: this checkout)")
    repro.add_argument("--build", type=Path, default=None, help="folder for executed notebooks")
    repro.set_defaults(run=_reproduce)
    paper = commands.add_parser("paper", help="recompile paper/paper.pdf from what the notebooks last wrote")
    paper.add_argument("--paper", type=Path, default=None, help="manuscript folder (default: paper/)")
    paper.set_defaults(run=_paper)
    own = commands.add_parser("analyze", help="measurement, theory tests and segmentation of your own survey")
    own.add_argument("--data", type=Path, required=True, help="survey file (CSV, Excel, SPSS)")
    own.add_argument("--codebook", type=Path, required=True, help="codebook (YAML)")
    own.add_argument("--out", type=Path, required=True, help="report folder")
    own.add_argument("--loyalty", default="loyalty", help="loyalty construct (default: loyalty)")
    own.add_argument("--satisfaction", default="satisfaction", help="satisfaction construct")
    own.add_argument(
        "--value", default="delivered_value", help="value construct or the delivered_value score"
    )
    own.add_argument("--concomitant", default=None, help="segment-membership formula, e.g. '~ membership'")
    own.add_argument(
        "--trust",
        type=_names,
        default=None,
        help="trust constructs in causal order, comma-separated (default: every construct whose name "
        "contains 'trust'; '' for none)",
    )
    own.add_argument(
        "--segments",
        type=_segments,
        default=None,
        help="number of segments: N fixes it, A-B lets BIC choose between A and B (default: BIC, 1-6)",
    )
    own.add_argument(
        "--n-boot", type=int, default=5000, help="bootstrap draws for indirect effects (default 5000)"
    )
    own.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    own.set_defaults(run=_analyze)
    study = commands.add_parser(
        "study",
        help="the Monte Carlo method study of notebook 08 (quick setting, or --full), cached to a file",
        description="Run the method study of notebook 08 and write it to a JSON file that the notebook reads "
        "(results/method_study.json with --full). The quick setting takes minutes, --full about an hour on "
        "2 cores.",
    )
    study.add_argument(
        "--full", action="store_true", help="the full setting: 100 data sets per condition (about an hour)"
    )
    study.add_argument(
        "--n-jobs", type=int, default=-1, help="parallel data sets (joblib; default -1: all cores)"
    )
    study.add_argument("--seed", type=int, default=1988, help="random seed (default 1988)")
    study.add_argument(
        "--output",
        type=Path,
        default=None,
        help="cache file (default: results/method_study.json with --full, "
        "else results/method_study_quick.json)",
    )
    study.add_argument(
        "--replications",
        type=_positive,
        default=None,
        help="data sets per condition instead of the setting's (a trial run; written to the quick file)",
    )
    study.add_argument("--quiet", action="store_true", help="no progress bars")
    study.set_defaults(run=_study)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
