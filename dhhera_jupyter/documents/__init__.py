"""The document model of Argo and DigitalHub, pure (no SDK, no Jupyter): one reader per concept.

``graph/`` (the diagram), ``executor/`` (the local runner), ``status/``, ``server/`` and
``magics/`` read documents only through this package, so they agree on every spec.

API summary
-----------
``documents.states``
    Run kinds ``BUILD_RUN_KIND``, ``PIPELINE_RUN_KIND``, ``JOB_RUN_KIND``, ``SERVE_RUN_KIND``,
    ``FUNCTION_BUILD_RUN_KIND``, ``WORKFLOW_KIND``; run
    states and their sets ``TERMINAL_RUN_STATES`` (COMPLETED/ERROR/STOPPED), ``GONE_RUN_STATES``,
    ``FINISHED_RUN_STATES`` (terminal or gone), ``ACTIVE_RUN_STATES``, ``STOPPABLE_RUN_STATES``;
    node states ``NODE_STATES`` (legend order), ``FINAL_NODE_STATES``, ``BAD_NODE_STATES``; Argo
    ``ARGO_PHASES``, ``FAILED_PHASES``, ``COMPLETED_PHASES``, ``FULFILLED_PHASES``.
``documents.keys``
    ``parse_key("store://p/type/kind/name:id") -> EntityKey``, ``parse_exec("hera://p/name:id") ->
    ExecRef``, ``name_and_id(text)``, ``short_key(text)``, ``workflow_key(...)``,
    ``workflow_exec_prefix(project, name)``.
``documents.yaml_text``
    ``load_yaml(text, what)``: the one YAML loader (safe tags, aliases refused with
    :class:`~dhhera_jupyter.errors.YamlRefused`).
``documents.build``
    ``build_spec(doc)`` / ``build_text(doc)`` / ``is_built(doc)`` for ``spec.build``;
    ``result_spec(encoded)`` for a build run's ``status.results.workflow``; ``decode_text(value)``.
``documents.argo``
    ``workflow_spec(doc)``, ``index_templates``, ``entrypoint_of``, ``template_kind`` and
    ``LEAF_KINDS``/``COMPOSITE_KINDS``/``OTHER_KINDS``, ``param_string``, ``declared_parameters``,
    ``dag_tasks``, ``task_dependencies(task, known) -> TaskDependencies``, ``find_cycle``.
``documents.depends``
    ``parse_depends(text, known)``, ``TaskRef``, ``task_refs``, ``task_names``,
    ``evaluate_depends(tree, result_of)``, ``dependencies_tree``, ``TASK_RESULTS``.
``documents.when``
    ``evaluate_when(text)`` (``=~`` on RE2, linear time), ``regex_search``.
``documents.steps``
    ``step_call(template) -> StepCall`` (entity key, function, action, kwargs, declared inputs and
    outputs): the DigitalHub step contract, for the diagram and the runner alike.

Parsing and evaluation of ``depends``/``when`` and the cycle check use explicit stacks, never
recursion: any width or depth costs linear time (``bench/depends_scale.py``).
"""

from __future__ import annotations
