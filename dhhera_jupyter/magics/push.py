"""``%hera push NAME --to TARGET``: promote a workflow to another DigitalHub, and its Python twin ``push``.

The work is :func:`dhhera_jupyter.platform.promote.push`; this module parses the line, prints each line as it is
done, and never prints a credential (a token is taken from ``--token`` or from an ini profile, and only the
way it was given is named in messages).
"""

from __future__ import annotations

from typing import Any

from IPython.core.magic_arguments import argument, magic_arguments


def push(
    name: str,
    to: str,
    *,
    project: str | None = None,
    token: str | None = None,
    with_data: bool = False,
    force: bool = False,
    quiet: bool = False,
) -> Any:
    """Copy workflow ``name``, the function versions its build runs and (``with_data``) the dataitems it reads
    to another DigitalHub, then build it there.

    Parameters
    ----------
    name : str
        A built hera workflow of the backend in use.
    to : str
        The target: an ``http(s)://`` endpoint (with ``token``), or a profile of ``~/.dhcore.ini`` (endpoint,
        credentials and object store settings from that file).
    project : str, optional
        The project, the same on both sides (default: the backend's default project).
    token : str, optional
        Access token for the target (wins over the profile's).
    with_data : bool
        Also copy the dataitems the build names, files included (needs the target's object store settings).
    force : bool
        Add the workflow as a new version when the target has one of that name with another spec.
    quiet : bool
        Do not print the lines as they are done.

    Returns
    -------
    PushResult
        The lines printed, counts, and the target's build run id.
    """
    from dhhera_jupyter.platform import promote
    from dhhera_jupyter.platform.promote.target import target as push_target

    target = push_target(to, token)
    return promote.push(name, target, project=project, with_data=with_data, force=force, echo=None if quiet else _print)


def _print(line: str) -> None:
    print(line, flush=True)


@magic_arguments(name="hera push")
@argument("name", help="A built hera workflow of the backend in use.")
@argument(
    "--to",
    required=True,
    metavar="ENDPOINT_OR_PROFILE",
    help="The other DigitalHub: its http(s):// endpoint, or a ~/.dhcore.ini profile (endpoint and credentials).",
)
@argument("--project", help="Project, the same on both sides (default: the backend's default project).")
@argument("--token", help="Access token for the target (a profile is better: a token typed here stays in the cell).")
@argument("--with-data", action="store_true", help="Also copy the dataitems the build reads (files included).")
@argument("--force", action="store_true", help="Add the workflow as a new version if the target's differs.")
def push_magic(shell: Any, args: Any) -> None:
    """Copy a built workflow, its functions and (--with-data) its dataitems to another DigitalHub and build it there.
    Example: ``%hera push etl --to prod --with-data`` (``prod`` a profile of ~/.dhcore.ini)."""
    push(
        args.name,
        args.to,
        project=args.project,
        token=args.token,
        with_data=args.with_data,
        force=args.force,
    )
