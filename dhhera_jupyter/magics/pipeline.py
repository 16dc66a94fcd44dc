"""``%%hera_pipeline``: a notebook cell → a DigitalHub workflow of kind ``hera`` (and its DAG)."""

from __future__ import annotations

from typing import Any

from IPython.core.magic import Magics, cell_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments

from dhhera_jupyter.errors import BuildError
from dhhera_jupyter.magics.boundary import parse_arguments, parse_parameters, plain_help, usage_errors


@magics_class
class PipelineMagics(Magics):
    """The ``%%hera_pipeline`` cell magic."""

    @cell_magic
    @usage_errors
    @magic_arguments(name="%hera_pipeline")
    @argument("name", help="Name of the DigitalHub workflow (created, or updated when the cell changed).")
    @argument("--project", help="Project (default: the backend's default project, see %%hera status).")
    @argument("--handler", help="Function of the cell that returns the Hera Workflow (default: found in the cell).")
    @argument("--build", action="store_true", help="Build the workflow on the backend and draw the built DAG.")
    @argument(
        "-p",
        "--param",
        dest="params",
        action="append",
        metavar="KEY=VALUE",
        help="A value for an argument of the handler (def pipeline(url)), given at build; with --run, a value for a "
        "workflow parameter too (repeatable).",
    )
    @argument("--preview", action="store_true", help="Draw the DAG of the Workflow built in the kernel (no build).")
    @argument(
        "--run",
        action="store_true",
        help="Then run it: build first if the cell changed or it was never built, and open a run panel "
        "(-p values become the run's parameters).",
    )
    @argument("--wait", action="store_true", help="With --run: block until the run ends.")
    @argument("-o", "--output", metavar="VAR", help="Store the pipeline handle in variable VAR.")
    @argument("--description", help="Workflow description.")
    @argument("--label", dest="labels", action="append", metavar="LABEL", help="Workflow label (repeatable).")
    def hera_pipeline(self, line: str, cell: str) -> Any:
        """Register the cell's Hera pipeline as a DigitalHub workflow; optionally preview or build its DAG.

        The cell runs in the notebook's namespace (its functions stay usable). Its handler is the
        function named by --handler, else the single function of the cell that builds a Hera
        Workflow. The handler is called in the kernel first, as the build will call it (no
        arguments), so a broken pipeline is reported, with its line, and nothing is registered.
        A new workflow version is created only when the cell (or handler, description, labels)
        changed. Returns a handle (.workflow, .build_run, .graph, .spec) that draws the DAG.

        Examples
        --------
        ::

            %%hera_pipeline etl --preview
            from hera.workflows import Workflow, DAG
            from digitalhub_runtime_hera.dsl import step

            def pipeline():
                with Workflow(entrypoint="dag", arguments={"url": "http://x"}) as w:
                    with DAG(name="dag"):
                        a = step(template={"action": "job", "inputs": {"url": "{{workflow.parameters.url}}"}},
                                 function="download", outputs=["dataset"])
                        b = step(template={"action": "job", "inputs": {"di": "{{inputs.parameters.di}}"}},
                                 function="process", inputs={"di": a.get_parameter("dataset")})
                        a >> b
                return w

            %%hera_pipeline etl --build -o etl
            ...

            %%hera_pipeline etl --run -p url=http://z
            ...
        """
        from dhhera_jupyter.magics.twins import register_pipeline, run_registered

        args = parse_arguments(self.hera_pipeline, line)
        user_ns: dict[str, Any] = self.shell.user_ns if self.shell is not None else {}
        try:
            handle = register_pipeline(
                args.name,
                cell,
                handler=args.handler,
                project=args.project,
                description=args.description,
                labels=args.labels,
                namespace=user_ns,
                where="the cell",
                line_offset=1,
                preview=args.preview,
                build=args.build,
                parameters=parse_parameters(args.params),
            )
            if args.run:
                handle = run_registered(handle, parse_parameters(args.params), wait=args.wait, built=args.build)
        except BuildError as err:
            if args.output and err.handle is not None:
                user_ns[args.output] = err.handle
            raise
        if args.output:
            user_ns[args.output] = handle
        return handle

    hera_pipeline.__doc__ = plain_help(hera_pipeline.__doc__ or "")
