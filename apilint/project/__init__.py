"""The project a file belongs to: its root and what it declares."""
