"""Shared test settings.

Property tests draw random inputs. Locally they explore new draws on every run (and remember
failures in ``.hypothesis/``); under CI (``CI`` set, as ``.ci/run`` is run) they are derandomised,
so a CI run is repeatable and cannot fail on a draw no developer has seen.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
