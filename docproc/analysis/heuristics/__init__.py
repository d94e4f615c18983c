"""The offline NLP behind the local engine: one module per kind of result.

Each module has a per-chunk function that returns small JSON-friendly state and a merge
function that turns the states of all chunks into the document's result, so the local
engine itself only wires them together.
"""
