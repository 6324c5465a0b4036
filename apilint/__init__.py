"""apilint: static analysis for the way Python code calls HTTP APIs."""

__version__ = "0.1.0"

# Where the project and each rule's documentation live (docs/rules/APIxxx.md in the repository).
PROJECT_URL = "https://github.com/apilint/apilint"


def rule_url(code: str) -> str:
    return f"{PROJECT_URL}/blob/main/docs/rules/{code}.md"
