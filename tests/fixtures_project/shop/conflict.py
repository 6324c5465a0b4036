try:
    from requests import Session
except ImportError:  # two definitions: which one runs is unknown
    from httpx import Client as Session

__all__ = ["Session"]
