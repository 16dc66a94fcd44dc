"""DigitalHub's public tutorials, in their shapes, on the local core through the real SDK (our own code).

- s1-etl: a CSV dataitem by URL, download and process jobs with ``wait=True``, then a serve function with
  ``init_function`` that loads a dataitem and paginates it with ``?page=&size=``, called with ``run.invoke``;
- s3-scikit-learn / s4-mlflow: a training job that logs a model (kinds ``sklearn`` and ``mlflow``) with metrics
  and returns it; the model is ``produced_by`` the run, its metrics read back, its file downloads identical.
  scikit-learn and mlflow are not installed here (too large for the test extras), so the "model" is a small
  pickled pure-Python object; s4's ``requirements`` are a small PyPI package;
- s6-custom-ml-model: a ``build`` with instructions, a training job logging a zipped ``model``, and a serve
  function whose ``init_function`` downloads the model by key and answers JSON POSTs.
"""

from __future__ import annotations

import hashlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ETL = """
from digitalhub_runtime_python import handler

@handler(outputs=["dataset"])
def download(url):
    return url.as_df(file_format="csv", sep=";")

@handler(outputs=["dataset-clean"])
def clean(di):
    df = di.as_df()
    return df[df["value"] >= 0].reset_index(drop=True)

def init_context(context, dataitem):
    context.df = context.project.get_dataitem(dataitem).as_df()

def serve(context, event):
    page = int(event.fields.get("page", 0))
    size = max(1, min(100, int(event.fields.get("size", 50))))
    rows = context.df.iloc[page * size:(page + 1) * size]
    return {"data": rows.to_json(orient="records"), "page": page, "size": size, "total": len(context.df)}
"""

TRAIN = """
import os
import pickle
from digitalhub_runtime_python import handler

def predict(model, xs):
    return [int(x > model["cut"]) for x in xs]

@handler(outputs=["model"])
def train(project, kind: str = "sklearn"):
    xs, ys = [1, 2, 3, 7, 8, 9], [0, 0, 0, 1, 1, 1]
    model = {"cut": 5}  # stands for a fitted estimator: sklearn is not installed here
    predicted = predict(model, xs)
    accuracy = sum(int(p == y) for p, y in zip(predicted, ys)) / len(ys)
    os.makedirs("model", exist_ok=True)
    with open("model/model.pkl", "wb") as fh:
        pickle.dump(model, fh, protocol=5)
    logged = project.log_model(name="threshold", kind=kind, source="./model/", framework="plain-python")
    logged.log_metrics({"accuracy": accuracy, "f1_score": 1.0})
    return logged
"""

CUSTOM = """
import json
import zipfile
from digitalhub_runtime_python import handler

@handler(outputs=["model"])
def train(project):
    with open("weights.json", "w") as fh:
        json.dump({"slope": 2, "intercept": 1}, fh)
    with zipfile.ZipFile("predictor.zip", "w") as z:
        z.write("weights.json")
    logged = project.log_model(name="line", kind="model", source="predictor.zip", algorithm="line", framework="json")
    logged.log_metrics({"mae": 0.5})
    return logged

def init_context(context, model_key):
    path = context.project.get_model(model_key).download(overwrite=True)
    with zipfile.ZipFile(path) as z:
        context.weights = json.loads(z.read("weights.json"))

def predict(context, event):
    body = event.body if isinstance(event.body, dict) else json.loads(event.body)
    w = context.weights
    return {"predictions": [w["slope"] * x + w["intercept"] for x in body["inputs"]]}
"""


@pytest.fixture()
def fast_wait() -> Iterator[None]:
    from dhhera_jupyter.platform import fast_wait

    fast_wait.install()
    yield
    fast_wait.uninstall()


@pytest.fixture()
def csv_url(tmp_path: Path) -> Iterator[str]:
    """A CSV (``;``-separated, as the tutorial's open data) served on 127.0.0.1."""
    rows = ["time;sensor;value"] + [f"2024-01-01 {h:02d}:00;s{h % 3};{h - 2}" for h in range(24)]
    (tmp_path / "data.csv").write_text("\n".join(rows) + "\n")
    handler = type(
        "H",
        (http.server.SimpleHTTPRequestHandler,),
        {"log_message": lambda *a: None, "__init__": _serving(tmp_path)},
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/data.csv"
    server.shutdown()


def _serving(folder: Path):
    def init(self, *args, **kwargs):
        http.server.SimpleHTTPRequestHandler.__init__(self, *args, directory=str(folder), **kwargs)

    return init


def _fn(project, name: str, code: str, handler: str, **kw):
    return project.new_function(name=name, kind="python", code=code, handler=handler, python_version="PYTHON3_10", **kw)


def test_s1_etl_jobs_then_a_paginating_service(project, fast_wait, csv_url: str) -> None:
    url_item = project.new_dataitem(name="url-data-item", kind="table", path=csv_url)
    download = _fn(project, "download-data", ETL, "download")
    run = download.run("job", inputs={"url": url_item.key}, wait=True)
    assert run.status.state == "COMPLETED", run.status.message
    dataset = project.get_dataitem("dataset")
    assert len(dataset.as_df()) == 24

    clean = _fn(project, "clean", ETL, "clean")
    cleaned = clean.run("job", inputs={"di": dataset.key}, wait=True)
    assert cleaned.status.state == "COMPLETED", cleaned.status.message
    assert len(cleaned.output("dataset-clean").as_df()) == 22

    api = _fn(project, "api", ETL, "serve", init_function="init_context")
    serve = api.run("serve", init_parameters={"dataitem": "dataset-clean"}, wait=True)
    assert serve.status.state == "RUNNING", serve.status.message
    answer = serve.invoke(url=f"http://{serve.status.service['url']}/?page=1&size=10").json()
    assert answer["page"] == 1 and answer["size"] == 10 and answer["total"] == 22
    assert '"value":10' in answer["data"]
    serve.stop()


@pytest.mark.parametrize("kind", ["sklearn", "mlflow"])
def test_s3_s4_training_logs_a_model_with_metrics_produced_by_the_run(
    project, fast_wait, kind: str, tmp_path: Path
) -> None:
    spec = {"requirements": ["cowsay==6.1"]} if kind == "mlflow" else {}
    train = _fn(project, "train", TRAIN, "train", **spec)
    run = train.run("job", parameters={"kind": kind}, wait=True)
    assert run.status.state == "COMPLETED", run.status.message
    model = run.output("model")
    assert model.kind == kind
    again = project.get_model("threshold")
    assert again.metrics == {"accuracy": [1.0], "f1_score": [1.0]} or again.metrics == {
        "accuracy": 1.0,
        "f1_score": 1.0,
    }
    produced = [r for r in again.metadata.relationships or [] if r.get("type") == "produced_by"]
    assert produced and run.id in produced[0]["dest"]
    assert run.metrics == {} or isinstance(run.metrics, dict)

    path = Path(again.download(destination=str(tmp_path / "dl"), overwrite=True))
    pkl = next(path.rglob("model.pkl")) if path.is_dir() else path
    assert pkl.read_bytes()[:2] == b"\x80\x05"  # pickle protocol 5, as the job wrote it


def test_s6_build_train_and_serve_a_custom_model(project, fast_wait) -> None:
    train = _fn(project, "train-line", CUSTOM, "train")
    build = train.run("build", instructions=["echo preparing the image"], wait=True)
    assert build.status.state == "COMPLETED", build.status.message
    run = project.get_function("train-line").run("job", wait=True)
    assert run.status.state == "COMPLETED", run.status.message
    model = run.output("model")
    assert model.metrics in ({"mae": [0.5]}, {"mae": 0.5})

    server = _fn(project, "serve-line", CUSTOM, "predict", init_function="init_context")
    serve = server.run("serve", init_parameters={"model_key": model.key}, wait=True)
    assert serve.status.state == "RUNNING", serve.status.message
    answer = serve.invoke(json={"inputs": [0, 1, 2]})
    assert answer.json() == {"predictions": [1, 3, 5]}
    serve.stop()


def test_model_file_downloads_identical(project, tmp_path: Path) -> None:
    source = tmp_path / "weights.bin"
    source.write_bytes(bytes(range(256)) * 64)
    model = project.log_model(name="blob", kind="huggingface", source=str(source))
    model.log_metric("loss", 0.25, single_value=True)
    back = project.get_model("blob")
    assert back.metrics == {"loss": 0.25}
    path = Path(back.download(destination=str(tmp_path / "dl"), overwrite=True))
    path = next(path.rglob("weights.bin")) if path.is_dir() else path
    assert hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(source.read_bytes()).digest()
    versions = project.get_model("blob").versions if hasattr(back, "versions") else None
    assert versions is None or versions
