"""The compat suite: each reference program in compat/programs/ prints the same under torch and jtorch."""
import pathlib

import pytest

from compat import harness

PROGRAMS = sorted(p.stem for p in (pathlib.Path(harness.__file__).parent / "programs").glob("*.py"))


@pytest.mark.parametrize("name", PROGRAMS)
def test_program_prints_the_same_under_torch_and_jtorch(name):
    problems = harness.check(name)
    assert not problems, "\n".join(problems)
