# Exception classes of another module: their ancestors come from the index (API302, API304).
import requests

from .errors import ApiError, NotFound, Plain


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


def base_not_named(url):
    # Plain's base, the builtin `Exception`, is not named in its summary: across modules only Plain
    # itself (and BaseException) is known to cover it, so this unreachable handler is not reported
    # (a miss, never a false finding). In its own module the resolver would see it.
    try:
        return requests.get(url, timeout=5)
    except Exception:  # expect: API301
        return None
    except Plain:
        return None
