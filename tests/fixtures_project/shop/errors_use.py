# Exception classes of another module: their ancestors come from the index (API302, API304).
import requests

from .errors import ApiError, Cancelled, NotFound, Plain


def shadowed(url):
    try:
        return requests.get(url, timeout=5)
    except requests.RequestException:
        return None
    except NotFound:  # expect: API302
        return "missing"


def redundant(url):
    try:
        return requests.get(url, timeout=5)
    except (ApiError, NotFound):  # expect: API304
        return None


def in_order(url):
    try:
        return requests.get(url, timeout=5)
    except NotFound:
        return None
    except ApiError:
        return None


def builtin_base(url):
    # Plain derives from the builtin `Exception`: the earlier handler already catches it.
    try:
        return requests.get(url, timeout=5)
    except Exception:  # expect: API301
        return None
    except Plain:  # expect: API302
        return None


def base_not_known(url):
    # Cancelled's base comes from a library the index cannot read: it may derive from BaseException
    # (trio's, anyio's cancellations do), so `except Exception` is not known to catch it.
    try:
        return requests.get(url, timeout=5)
    except Exception:  # expect: API301
        return None
    except Cancelled:
        return None
