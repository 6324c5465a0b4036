from .cycle_a import SESSION  # noqa: F401
