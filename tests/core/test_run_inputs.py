"""A run input that is not an entity key fails the run with a sentence naming the input and its value."""

from __future__ import annotations

from tests.support import wait_until

CODE = """
def count(di):
    return len(di.as_df())
"""


def test_a_url_given_as_an_input_names_the_input_and_says_where_plain_values_go(project, dh) -> None:
    fn = project.new_function(name="count", kind="python", code=CODE, handler="count", python_version="PYTHON3_11")
    run = fn.run("job", inputs={"di": "http://example.org/data.csv"})
    wait_until(lambda: run.refresh().status.state in ("COMPLETED", "ERROR"), timeout=120, what="the run")
    assert run.status.state == "ERROR"
    assert run.status.message == (
        "ValueError: Input 'di' is 'http://example.org/data.csv', not an entity key "
        "(store://project/type/kind/name:id); plain values such as URLs go in the run's parameters."
    )


def test_an_entity_key_input_still_reaches_the_handler(project, dh) -> None:
    import pandas as pd

    di = project.log_dataitem(name="table", kind="table", data=pd.DataFrame({"a": [1, 2, 3]}))
    fn = project.new_function(name="count", kind="python", code=CODE, handler="count", python_version="PYTHON3_11")
    run = fn.run("job", inputs={"di": di.key})
    wait_until(lambda: run.refresh().status.state in ("COMPLETED", "ERROR"), timeout=120, what="the run")
    assert run.status.state == "COMPLETED", run.status.message
