"""Documents in, analysis out: the real app, a real redis-server, a real worker process.

Each test submits a generated document the way a client would and polls its status to
the end, then checks the result against what the document holds.
"""

from __future__ import annotations

import base64
import io

import pytest
from flask.testing import FlaskClient

from tests.conftest import wait_for_final
from tests.documents import make_corrupt_pdf, make_docx, make_encrypted_pdf, make_pdf

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("worker")]

REPORT_PAGES = [
    "Northwind Renewables Ltd. annual report. The company opened a solar plant in Lisbon.",
    "Revenue grew strongly to $4.2 million while costs fell. Customers praised the service.",
    "Chief executive Maria Lopez thanked the engineers. The word zanzibarite marks page three.",
]


def submit(client: FlaskClient, **kwargs) -> str:
    response = client.post("/process-document", **kwargs)
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert body["state"] == "PENDING"
    assert response.headers["Location"] == body["status_url"] == f"/task-status/{body['task_id']}"
    return body["status_url"]


def finish(client: FlaskClient, **kwargs) -> tuple[dict, list[dict]]:
    history = wait_for_final(client, submit(client, **kwargs))
    return history[-1], history


def multipart(content: bytes, filename: str, **fields: str) -> dict:
    return {"data": {"file": (io.BytesIO(content), filename), **fields},
            "content_type": "multipart/form-data"}


def assert_success(final: dict) -> dict:
    assert final["state"] == "SUCCESS", final.get("error")
    assert final["progress"]["percent"] == 100
    assert final["finished_at"] and final["started_at"] and final["submitted_at"]
    return final["result"]


def test_pdf_upload_local_engine(client: FlaskClient) -> None:
    final, history = finish(client, **multipart(make_pdf(REPORT_PAGES), "report.pdf",
                                                 engine="local"))
    result = assert_success(final)
    assert result["engine"] == "local"
    assert result["stats"]["pages"] == 3
    assert result["stats"]["words"] > 30
    assert "zanzibarite" in result["summary"] + " ".join(result["key_points"]) + str(
        result["keywords"])
    kinds = {(e["text"], e["type"]) for e in result["entities"]}
    assert ("$4.2 million", "MONEY") in kinds
    assert result["sentiment"]["label"] in ("positive", "neutral", "negative")
    assert result["language"] == "en"
    assert final["document"] == {"filename": "report.pdf", "content_type": "application/pdf",
                                 "format": "pdf", "bytes": final["document"]["bytes"]}
    percents = [s["progress"]["percent"] for s in history]
    assert percents == sorted(percents), "percent went down"


def test_docx_table_header_footer_reach_the_analysis(client: FlaskClient) -> None:
    docx = make_docx(
        ["Quarterly memo from the operations team.", "The warehouse in Oslo reopened."],
        table=[["Item", "Supplier"], ["Turbine blades", "Quibblefrost"],
               ["Rotor hubs", "Quibblefrost"]],
        header="Confidential draft",
        footer="Printed by Halvorsen Logistics for internal use only.",
    )
    final, _ = finish(client, **multipart(docx, "memo.docx", engine="local",
                                          analyses="keywords,entities"))
    result = assert_success(final)
    assert set(result) == {"engine", "model", "keywords", "entities", "stats", "usage",
                           "timings", "warnings", "format"}
    keywords = [k.lower() for k in result["keywords"]]
    assert "quibblefrost" in keywords  # only the table holds it, twice
    assert "confidential" in keywords  # only the header holds it
    assert ("Halvorsen Logistics", "ORG") in {(e["text"], e["type"]) for e in result["entities"]}


def test_cp1252_text_keeps_the_euro_sign(client: FlaskClient) -> None:
    text = "Die Rechnung beträgt 120 € für Wartung. Zahlung bis März.\n" * 3
    final, _ = finish(client, data=text.encode("cp1252"), content_type="text/plain",
                      query_string={"filename": "rechnung.txt", "engine": "local"})
    result = assert_success(final)
    assert result["encoding"] in ("cp1252", "windows-1252")
    assert "€" in result["summary"]
    assert result["language"] == "de"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "latin-1"])
def test_text_encodings(client: FlaskClient, encoding: str) -> None:
    text = "Le café naïf de Zoë ouvre à Paris. Les clients sont très contents du service.\n"
    final, _ = finish(client, **multipart((text * 4).encode(encoding), "notes.txt",
                                          engine="local", analyses="summary,language"))
    result = assert_success(final)
    assert "café naïf" in result["summary"]
    assert result["language"] == "fr"


def test_html_script_and_style_text_is_absent(client: FlaskClient) -> None:
    html = (b"<html><head><style>.x{color:red} STYLETEXT</style>"
            b"<script>var secret = 'SCRIPTTEXT';</script></head>"
            b"<body><h1>Launch news</h1><p>Our rover landed safely near the crater.</p>"
            b"<p>The mission team celebrated a great success.</p></body></html>")
    final, _ = finish(client, data=html, content_type="text/html",
                      query_string={"engine": "local"})
    result = assert_success(final)
    everything = str(result)
    assert "SCRIPTTEXT" not in everything and "STYLETEXT" not in everything
    assert "rover" in result["summary"]


def test_markdown_csv_json_via_json_body(client: FlaskClient) -> None:
    documents = {
        "notes.md": b"# Plan\n\nWe will migrate the *billing* service to Frankfurt next week.\n",
        "sales.csv": b"region,amount\nNorth,1200\nSouth,900\nEast,1500\n",
        "config.json": b'{"project": {"name": "Gallifrey", "owner": "Ada Byron"}}',
    }
    expected = {"notes.md": "billing", "sales.csv": "North", "config.json": "Gallifrey"}
    for filename, content in documents.items():
        final, _ = finish(client, json={"content_base64": base64.b64encode(content).decode(),
                                        "filename": filename, "engine": "local"})
        result = assert_success(final)
        assert expected[filename] in str(result), (filename, result)
        assert final["document"]["format"] == filename.rsplit(".", 1)[1].replace("md",
                                                                                 "markdown")


def test_json_text_with_metadata_and_options(client: FlaskClient) -> None:
    final, _ = finish(client, json={
        "text": "The board approved the new budget. Everyone was delighted with the plan.",
        "engine": "local", "analyses": ["summary", "sentiment"],
        "metadata": {"customer": "c-17", "tags": ["q3"]},
    })
    result = assert_success(final)
    assert final["metadata"] == {"customer": "c-17", "tags": ["q3"]}
    assert result["sentiment"]["label"] == "positive"
    assert set(result) & {"keywords", "entities", "topics"} == set()


def test_pdf_with_blank_pages_succeeds_with_a_warning(client: FlaskClient) -> None:
    pdf = make_pdf(["First page has words about budgets.", "", "", "Last page too."])
    final, _ = finish(client, **multipart(pdf, "scan.pdf", engine="local"))
    result = assert_success(final)
    assert any("2-3" in w for w in result["warnings"]), result["warnings"]


@pytest.mark.parametrize(("maker", "needle"), [
    (lambda: make_encrypted_pdf("secret text"), "password"),
    (make_corrupt_pdf, "damaged"),
    (lambda: make_pdf(["", ""]), "no text"),
])
def test_unreadable_documents_fail_clearly(client: FlaskClient, maker, needle: str) -> None:
    final, _ = finish(client, **multipart(maker(), "bad.pdf", engine="local"))
    assert final["state"] == "FAILURE"
    assert final["error"]["type"] == "DocumentUnreadable"
    assert needle in final["error"]["message"].lower()
    assert "result" not in final


def test_document_is_deleted_once_processed(client: FlaskClient, redis_server) -> None:
    status_url = submit(client, json={"text": "A short note about nothing.", "engine": "local"})
    task_id = status_url.rsplit("/", 1)[1]
    assert wait_for_final(client, status_url)[-1]["state"] == "SUCCESS"
    redis = redis_server.client()
    assert not redis.exists(f"docproc:doc:{task_id}")
    assert 0 < redis.ttl(f"docproc:task:{task_id}") <= 86400


def test_logs_never_hold_the_document(client: FlaskClient, worker) -> None:
    text = "Zanzibarquux secret alpha. Plumbusfloop confidential beta."
    final, _ = finish(client, json={"text": text, "engine": "local"})
    assert assert_success(final)["key_points"]  # the result does quote the text...
    log = worker.log_path.read_text(errors="replace")
    assert final["task_id"] in log  # ...and the log speaks of the task,
    assert "Zanzibarquux" not in log and "Plumbusfloop" not in log  # never of its text


def test_odd_but_valid_submissions(client: FlaskClient) -> None:
    # A lone surrogate in JSON text, a form-urlencoded body, and a path as the filename.
    final, _ = finish(client, json={"text": "Budget approved \ud800 by the board.",
                                    "engine": "local", "filename": "../../etc/pass\x00wd"})
    assert assert_success(final)["summary"].startswith("Budget approved")
    assert final["document"]["filename"] == "passwd"
    final, _ = finish(client, data={"text": "Sent as a plain HTML form.", "engine": "local"},
                      content_type="application/x-www-form-urlencoded")
    assert "plain HTML form" in assert_success(final)["summary"]
    assert final["document"]["filename"] == "document.txt"
