"""Runs a reference program under real torch and under jtorch and compares what they print.

Each program in compat/programs/ is written for plain `torch`. It runs twice in fresh subprocesses:
once as is, once with `compat.alias` installed so that `import torch` resolves to jtorch. The two
outputs must have the same lines; numbers in them must agree within a relative tolerance, and the
text around the numbers must be identical.

    python -m compat.harness [program ...]
"""
import math
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
PROGRAMS = ROOT / "compat" / "programs"
_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|nan|inf")


def run_program(path, use_jtorch, timeout=600):
    """(returncode, stdout, stderr) of the program under torch or under jtorch."""
    prelude = "import compat.alias as a; a.install(); " if use_jtorch else ""
    code = prelude + f"import runpy; runpy.run_path({str(path)!r}, run_name='__main__')"
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


def _numbers_close(a, b, rtol, atol):
    if a in ("nan", "inf") or b in ("nan", "inf"):
        return a == b
    x, y = float(a), float(b)
    return math.isclose(x, y, rel_tol=rtol, abs_tol=atol)


def compare_outputs(expected, got, rtol=1e-4, atol=1e-6):
    """A list of human-readable differences between two program outputs (empty when they agree)."""
    exp_lines, got_lines = expected.splitlines(), got.splitlines()
    problems = []
    if len(exp_lines) != len(got_lines):
        problems.append(f"torch printed {len(exp_lines)} lines, jtorch {len(got_lines)}")
    for i, (e, g) in enumerate(zip(exp_lines, got_lines)):
        if _NUMBER.sub("#", e) != _NUMBER.sub("#", g):
            problems.append(f"line {i + 1} text differs:\n  torch:  {e}\n  jtorch: {g}")
            continue
        for a, b in zip(_NUMBER.findall(e), _NUMBER.findall(g)):
            if not _numbers_close(a, b, rtol, atol):
                problems.append(f"line {i + 1} number {a} (torch) vs {b} (jtorch):\n  torch:  {e}\n  jtorch: {g}")
                break
    return problems


def check(name, rtol=1e-4, atol=1e-6):
    """Differences (empty list when equal) between torch's and jtorch's run of compat/programs/<name>.py."""
    path = PROGRAMS / f"{name}.py"
    code_t, out_t, err_t = run_program(path, use_jtorch=False)
    code_j, out_j, err_j = run_program(path, use_jtorch=True)
    problems = []
    if code_t != code_j:
        problems.append(f"exit codes differ: torch {code_t}, jtorch {code_j}\njtorch stderr:\n{err_j[-3000:]}")
    problems += compare_outputs(out_t, out_j, rtol, atol)
    return problems


def main(names):
    names = names or sorted(p.stem for p in PROGRAMS.glob("*.py"))
    failed = 0
    for name in names:
        problems = check(name)
        print(f"{'ok  ' if not problems else 'FAIL'} {name}")
        for p in problems:
            print("   ", p.replace("\n", "\n    "))
        failed += bool(problems)
    print(f"{len(names) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
