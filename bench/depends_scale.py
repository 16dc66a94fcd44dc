"""Time ``depends`` and ``when``: parse and evaluate against the number of operands, and ``=~`` on RE2.

Run: ``python bench/depends_scale.py`` (a few seconds). Columns, in milliseconds (best of 5):

- ``parse``: ``parse_depends`` of ``m0 && m1 && ...`` with the DAG's task names (as both readers call it);
- ``eval``: ``evaluate_depends`` of that tree, every task succeeded;
- ``when``: ``evaluate_when`` of ``0 == 0 && 1 == 1 && ...`` (parse and evaluate, a comparison per operand);
- floor: Python's own ``ast.parse`` of ``m0 and m1 and ...`` and ``all()`` over the same answers.

Then ``'^(a+)+$'`` against ``a...a!``: RE2 (what ``when`` uses) against Python's backtracking ``re``,
whose time doubles per character (stopped at 24 characters).

Target: linear cost (10x the operands, about 10x the time) and no recursion limit at 100 000 operands.
"""

from __future__ import annotations

import ast
import re
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dhhera_jupyter.documents.depends import evaluate_depends, parse_depends
from dhhera_jupyter.documents.when import evaluate_when, regex_search


def best_ms(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def main() -> None:
    print(f"{'operands':>9} {'parse':>9} {'eval':>9} {'when':>9} {'ast.parse':>10} {'all()':>9}")
    for n in (100, 1_000, 10_000, 100_000):
        names = [f"m{i}" for i in range(n)]
        known = set(names)
        text = " && ".join(names)
        tree = parse_depends(text, known)
        when = " && ".join(f"{i} == {i}" for i in range(n))
        answers = [True] * n
        python = " and ".join(names)
        print(
            f"{n:>9} {best_ms(partial(parse_depends, text, known)):>9.2f}"
            f" {best_ms(partial(evaluate_depends, tree, lambda ref: True)):>9.2f}"
            f" {best_ms(partial(evaluate_when, when)):>9.2f}"
            f" {best_ms(partial(ast.parse, python, mode='eval')):>10.2f}"
            f" {best_ms(partial(all, answers)):>9.3f}"
        )
    print()
    print(f"{'chars':>6} {'RE2 ms':>9} {'Python re ms':>13}")
    backtracking = re.compile(r"^(a+)+$")
    for n in (16, 20, 22, 24, 40, 10_000):
        subject = "a" * n + "!"
        re2_ms = best_ms(partial(regex_search, r"^(a+)+$", subject))
        re_ms = f"{best_ms(partial(backtracking.search, subject), repeat=1):>13.1f}" if n <= 24 else f"{'(skip)':>13}"
        print(f"{n:>6} {re2_ms:>9.3f} {re_ms}")


if __name__ == "__main__":
    main()
