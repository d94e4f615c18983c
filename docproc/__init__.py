"""Document analysis domain code: detection, extraction, chunking, analysis engines, pipeline.

This package knows neither Flask nor Celery, so it can be run and tested in-process.
"""

__version__ = "0.1.0"
