"""``schemawright draft``: the OpenAI-compatible protocol, tested against a LOCAL FAKE endpoint (an
http.server in this process answering canned replies). No real model is exercised here: these tests prove
the request we send (path, model, messages, bearer key), that a proposal is accepted only when it passes the
task-input validation and the designer, that a rejected proposal's errors are sent back for one correction,
and that failures are clear errors with nothing written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from schemawright.api import design_project, draft
from schemawright.draft import DraftError

GOOD = """Here is the task input:

```yaml
project: {name: bakery, type: web_app, scale: small}
task:
  description: A bakery's orders
  requirements: [Customer order history, Product reviews and ratings]
data_model:
  entities:
    - {name: customers, attributes: [email, full_name]}
    - {name: products, attributes: [name, price]}
```
"""
BAD = "```yaml\nproject: {name: bakery}\ndata_model:\n  entities:\n    - {name: customers, attributes: 7}\n```\n"


class FakeEndpoint:
    """Answers POST /v1/chat/completions with the queued replies; records the requests."""

    def __init__(self, replies: list[str], status: int = 200):
        self.replies, self.status, self.requests = list(replies), status, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
                if outer.status != 200:
                    self.send_response(outer.status)
                    self.end_headers()
                    return
                answer = {"choices": [{"message": {"role": "assistant", "content": outer.replies.pop(0)}}]}
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake():
    endpoints = []

    def make(replies, status=200):
        endpoints.append(FakeEndpoint(replies, status))
        return endpoints[-1]

    yield make
    for e in endpoints:
        e.close()


def test_proposal_passes_validation_and_design(fake, tmp_path):
    endpoint = fake([GOOD])
    result = draft("A bakery selling cakes; customers review them", base_url=endpoint.url, model="fake-model",
                   api_key="sk-test")
    request = endpoint.requests[0]
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer sk-test"
    assert request["body"]["model"] == "fake-model"
    assert request["body"]["messages"][-1] == {"role": "user", "content": "A bakery selling cakes; customers review them"}
    assert result.attempts == 1 and {"customers", "products", "reviews"} <= set(result.tables)
    spec = tmp_path / "spec.yaml"
    spec.write_text(result.text)
    designed = design_project(spec, tmp_path / "out")  # like any hand-written input
    assert designed.schema.table("order_items") is not None
    assert not [a.path for a in designed.artifacts  # images (ERD PNG) are bytes
                if "sk-test" in (a.content if isinstance(a.content, str) else a.content.decode("latin-1"))]


def test_invalid_proposal_is_sent_back_once_with_its_errors(fake):
    endpoint = fake([BAD, GOOD])
    result = draft("bakery", base_url=endpoint.url, model="m")
    assert result.attempts == 2 and result.problems
    correction = endpoint.requests[1]["body"]["messages"][-1]["content"]
    assert "attributes" in correction and "invalid" in correction


def test_two_invalid_proposals_are_an_error(fake):
    endpoint = fake([BAD, BAD])
    with pytest.raises(DraftError, match="did not pass validation after 2 attempts"):
        draft("bakery", base_url=endpoint.url, model="m")


def test_http_error_and_unreachable_endpoint_are_clear_errors(fake):
    endpoint = fake([], status=401)
    with pytest.raises(DraftError, match="HTTP 401"):
        draft("bakery", base_url=endpoint.url, model="m")
    with pytest.raises(DraftError, match="cannot reach"):
        draft("bakery", base_url="http://127.0.0.1:9/v1", model="m")


def test_cli_reads_the_endpoint_from_the_environment(fake, tmp_path):
    endpoint = fake([GOOD])
    out = tmp_path / "spec.yaml"
    env = {**os.environ, "SCHEMAWRIGHT_LLM_BASE_URL": endpoint.url, "SCHEMAWRIGHT_LLM_MODEL": "m",
           "SCHEMAWRIGHT_HOME": str(tmp_path / "home")}
    run = subprocess.run([sys.executable, "-m", "schemawright", "draft", "a bakery", "-o", str(out)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "bakery" in out.read_text()
    env.pop("SCHEMAWRIGHT_LLM_BASE_URL")
    env.pop("OPENAI_BASE_URL", None)
    run = subprocess.run([sys.executable, "-m", "schemawright", "draft", "a bakery", "-o", str(tmp_path / "x.yaml")],
                         env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode != 0 and "SCHEMAWRIGHT_LLM_BASE_URL" in run.stderr and "Traceback" not in run.stderr
    assert not Path(tmp_path / "x.yaml").exists()
