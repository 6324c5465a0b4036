from .compat import Session

SHARED = Session()


def make_session():
    session = Session()
    session.headers["User-Agent"] = "shop"
    return session


class TimedSession(Session):
    """Supplies a default timeout: its calls are clean."""

    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", 5)
        return super().request(method, url, **kwargs)
