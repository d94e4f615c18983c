"""A bare Flask app with one route: the web baseline, under the same gunicorn settings."""

from __future__ import annotations

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/hello")
def hello():
    return jsonify(hello="world")
