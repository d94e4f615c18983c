"""The HTTP layer: request parsing, routes, error handlers and health checks."""
