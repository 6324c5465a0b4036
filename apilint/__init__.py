"""apilint: static analysis for the way Python code calls HTTP APIs."""

__version__ = "0.1.0"
