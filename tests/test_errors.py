"""What a client is told about a failed task: the cause's name, never a secret."""

from __future__ import annotations

from docproc.errors import MAX_ERROR_MESSAGE, DocumentUnreadable, describe_failure


def test_domain_error_keeps_its_type_and_message() -> None:
    assert describe_failure(DocumentUnreadable("The PDF is encrypted.")) == (
        "DocumentUnreadable", "The PDF is encrypted.")


def test_api_keys_are_redacted_even_when_masked() -> None:
    exc = RuntimeError("Incorrect API key provided: sk-proj-****abcd. Key sk-live-12345678.")
    kind, message = describe_failure(exc, secrets=("live-12345678",))
    assert kind == "RuntimeError"
    assert "abcd" not in message and "12345678" not in message
    assert "Incorrect API key provided" in message


def test_long_messages_are_bounded_and_empty_ones_named() -> None:
    _, message = describe_failure(ValueError("x" * 10_000))
    assert len(message) == MAX_ERROR_MESSAGE
    assert describe_failure(KeyError()) == ("KeyError", "KeyError")
