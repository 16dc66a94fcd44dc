"""The magic boundary: our errors become exactly ``UsageError`` (IPython prints those as one clean line)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any, TypeVar

from IPython.core.error import UsageError

from dhhera_jupyter.errors import DhheraError

F = TypeVar("F", bound=Callable[..., Any])


def usage_errors(fn: F) -> F:
    """Re-raise :class:`DhheraError` as ``UsageError(message)``; a failed build first prints its log tail."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except DhheraError as exc:
            tail = getattr(exc, "log_tail", "")
            if tail:
                print(f"--- end of the build log ---\n{tail}\n---", flush=True)
            raise UsageError(str(exc)) from None

    return wrapper  # type: ignore[return-value]


def parse_parameters(items: list[str] | None) -> dict[str, str]:
    """``["k=v", ...]`` (repeated ``-p``) → dict; anything without ``=`` is a usage error."""
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"-p expects key=value, got '{item}'.")
        out[key.strip()] = value
    return out


def _unquote(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    if isinstance(value, list):
        return [_unquote(v) for v in value]
    return value


def parse_arguments(magic_func: Callable[..., Any], line: str) -> Any:
    """``magic_arguments`` parsing, with quotes removed (IPython's non-POSIX split keeps ``'daily ETL'`` quoted)."""
    from IPython.core.magic_arguments import parse_argstring

    try:
        args = parse_argstring(magic_func, line)
    except UsageError as exc:
        # argparse says "the following arguments are required: name": say which magic, and where its usage is.
        prog = "%" + getattr(getattr(magic_func, "parser", None), "prog", "hera")
        helper = prog.split(" ")[0]
        raise UsageError(f"{prog}: {str(exc).rstrip('.')}; see {helper}? for its usage.") from None
    for key, value in vars(args).items():
        setattr(args, key, _unquote(value))
    return args


_ROLE = re.compile(r":(?:class|func|meth|mod|attr|data|obj):`~?(?:[\w.]+\.)?([\w]+)`")


def plain_help(doc: str) -> str:
    """A magic's docstring as ``%magic?`` should print it: no reStructuredText markup.

    The ``::`` lines ``magic_arguments`` puts before its usage block go, ````code```` becomes ``code``, and
    ``:class:`~a.B``` becomes ``B``; the text and its indentation are otherwise kept.
    """
    lines = [line for line in doc.splitlines() if line.strip() != "::"]
    text = "\n".join(line[:-2] + ":" if line.rstrip().endswith("::") else line for line in lines)
    text = _ROLE.sub(r"\1", text)
    return re.sub(r"``([^`]+)``", r"\1", text)
