"""Every code block of the README runs as written (or, for the long commands, parses as written)."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import loyalty_research as lr
from loyalty_research import cli

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", README, flags=re.S)


def blocks(language: str) -> list[str]:
    return [body for lang, body in BLOCKS if lang == language]


def commands(prefix: str) -> list[str]:
    """Shell commands of the README's bash blocks that start with ``prefix`` (continuations joined)."""
    found = []
    for body in blocks("bash"):
        for command in body.replace("\\\n", " ").splitlines():
            command = command.split("#")[0].strip()
            if command.startswith(prefix):
                found.append(command)
    return found


@pytest.fixture()
def own_survey(tmp_path, monkeypatch) -> Path:
    """The README's codebook and a survey that fits it, in the working directory, as a user has them."""
    (tmp_path / "my_codebook.yaml").write_text(blocks("yaml")[0], encoding="utf-8")
    rng = np.random.default_rng(3)
    n = 240
    satisfaction, value = rng.normal(size=n), rng.normal(size=n)
    loyalty = 0.5 * satisfaction + 0.3 * value + rng.normal(scale=0.8, size=n)

    def answer(latent):
        return np.clip(np.round(6 + 1.6 * latent + rng.normal(scale=0.9, size=n)), 1, 10).astype(int)

    survey = pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "sat_1": answer(satisfaction),
            "sat_2": answer(satisfaction),
            "sat_3_r": 11 - answer(satisfaction),
            "loyal_1": answer(loyalty),
            "loyal_2": answer(loyalty),
            "benefit_1": answer(value),
            "benefit_2": answer(value),
            "cost_1": answer(-value),
            "cost_2": answer(-value),
            "segment": rng.choice(["a", "b"], size=n),
        }
    )
    survey.to_csv(tmp_path / "my_survey.csv", index=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_readme_has_the_blocks_these_tests_run():
    assert [lang for lang, _ in BLOCKS].count("python") == 2
    assert len(blocks("yaml")) == 1
    assert len(commands("loyalty-research analyze")) == 1
    assert len(commands("papermill")) == 1


def test_in_python_block_runs(recwarn):
    namespace: dict = {}
    exec(compile(blocks("python")[0], "README.md (In Python)", "exec"), namespace)
    # the memberships joined to the scores are those of the bundled respondents, not of a new sample
    survey, data = namespace["survey"], namespace["data"]
    assert data["membership"].equals(survey.loc[data.index, "membership"])
    assert len(namespace["new_survey"]) == 2000
    assert namespace["result"].labels.min() == 1


def test_own_survey_block_runs_on_the_readme_codebook(own_survey):
    namespace: dict = {"lr": lr}
    exec(compile(blocks("python")[1], "README.md (Your own survey)", "exec"), namespace)
    scores = namespace["scores"]
    assert {"satisfaction", "loyalty", "delivered_value"} <= set(scores.columns)
    assert scores["satisfaction"].notna().all()


def test_analyze_command_parses_as_written():
    (command,) = commands("loyalty-research analyze")
    args = cli.build_parser().parse_args(shlex.split(command)[1:])
    assert args.command == "analyze" and args.segments == (1, 4) and args.n_boot == 200
    assert args.concomitant == "~ segment" and args.trust is None


def test_papermill_line_writes_outside_the_manuscript(own_survey):
    (command,) = commands("papermill")
    words = shlex.split(command)
    words[1] = str(ROOT / words[1])  # the notebook path is relative to the repository
    numbers = ROOT / "paper" / "numbers.json"
    before = numbers.read_bytes() if numbers.exists() else None
    papermill = Path(sys.executable).with_name("papermill")
    done = subprocess.run([str(papermill), *words[1:], "--no-progress-bar"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    written = own_survey / "outputs" / "my_survey"
    assert (written / "numbers.json").is_file() and list((written / "figures").glob("03_*.png"))
    assert (numbers.read_bytes() if numbers.exists() else None) == before
