"""The one YAML loader for user and run YAML (safe tags only, and no anchors/aliases), and its dumper.

An alias (``*a``) makes a YAML document a graph: a 400-byte text can stand for gigabytes once
anything walks it (dumping it again, expanding a workflow). Argo workflows written by Hera or by
hand never need them, so a text that uses one is refused with a sentence saying so.
"""

from __future__ import annotations

from typing import Any

import yaml

from dhhera_jupyter.errors import YamlRefused

# libyaml's parser and emitter when PyYAML was built with it: the safe constructors and representers, several
# times faster (a 1000-step workflow is dumped in a fraction of a second instead of seconds).
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump_yaml(value: Any) -> str:
    """``value`` (plain dicts, lists and scalars) as block-style YAML, keys in their order (``yaml.safe_dump``)."""
    return yaml.dump(value, Dumper=DUMPER, sort_keys=False, allow_unicode=False)


def load_yaml(text: str | bytes, what: str = "The YAML text") -> Any:
    """Parse one YAML (or JSON) document with safe tags only; anchors and aliases are refused.

    Parameters
    ----------
    text : str or bytes
        The document (bytes are read as UTF-8).
    what : str
        What the text is, to start the error sentence (``"The workflow text"``).

    Returns
    -------
    object
        The document as plain dicts, lists and scalars (a tree: no node is shared).

    Raises
    ------
    YamlRefused
        When the text is not valid YAML, or uses an alias.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise YamlRefused(f"{what} is not UTF-8 text.") from exc
    try:
        if "*" in text:  # an alias needs a '*': only then are the events read twice
            _refuse_aliases(text, what)
        return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise YamlRefused(f"{what} is not valid YAML{_where(exc)}.") from exc


def _refuse_aliases(text: str, what: str) -> None:
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, yaml.AliasEvent):
            mark = event.start_mark
            at = f" at line {mark.line + 1}" if mark is not None else ""
            raise YamlRefused(
                f"{what} uses a YAML alias (*{event.anchor}){at}; aliases are refused because they can "
                "expand without bound: write the value out instead."
            )


def _where(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    return f" at line {mark.line + 1}" if mark is not None else ""
