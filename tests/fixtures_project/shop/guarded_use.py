"""Calls through the guarded factories of `guarded.py`: a Session only where the guard leaves."""
from shop.guarded import LooseReader, Reader, checked, init_session, rebound, unchecked, unknown_class


def through_init(url, session):
    return init_session(session).get(url)  # expect: API101


def through_checked(url, session):
    return checked(session).get(url)  # expect: API101


def through_unchecked(url, session):
    return unchecked(session).get(url)


def through_unknown_class(url, session):
    return unknown_class(session).get(url)


def through_rebound(url, session, wrap):
    return rebound(session, wrap).get(url)


class MyReader(Reader):
    def fetch_stream(self, url):
        return self.session.get(url, stream=True)  # expect: API101


class MyLooseReader(LooseReader):
    def fetch_stream(self, url):
        return self.session.get(url, stream=True)
