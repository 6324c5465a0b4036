"""A small SDK whose HTTP calls go through other modules (tests/test_project.py)."""
