"""The project's benchmark: ``python -m bench.run`` (see README, Performance)."""
