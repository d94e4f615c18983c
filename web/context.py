"""The collaborators a request needs, built once by the app factory."""

from __future__ import annotations

from dataclasses import dataclass

from celery import Celery
from flask import current_app
from redis import Redis

from docproc.settings import Settings
from docproc.store import TaskStore


@dataclass(frozen=True)
class Services:
    settings: Settings
    redis: Redis
    store: TaskStore
    celery: Celery


def services() -> Services:
    """The current app's services (set by ``create_app``)."""
    return current_app.extensions["docproc"]
