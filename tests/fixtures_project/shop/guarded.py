"""Session factories whose parameter an `isinstance` guard proves a Session (or does not).

The caller may pass anything; past `if not isinstance(session, requests.Session): raise`, what
the function returns or stores is a Session, in this module and in every module that calls it.
"""
import requests


class Transport:
    """No client class: a guard on it proves nothing."""


def init_session(session=None):
    if session is None:
        session = requests.Session()
    else:
        if not isinstance(session, requests.Session):
            raise TypeError("session must be a requests.Session")
    return session


def checked(session):
    if not isinstance(session, requests.Session):
        raise TypeError(session)
    return session


def unchecked(session=None):
    if not isinstance(session, requests.Session):
        print("not a session")  # goes on: proves nothing
    return session


def unknown_class(session):
    if not isinstance(session, Transport):
        raise TypeError(session)
    return session


def rebound(session, wrap):
    if not isinstance(session, requests.Session):
        raise TypeError(session)
    session = wrap(session)
    return session


class Reader:
    def __init__(self, session=None):
        if session is None:
            session = requests.Session()
        elif not isinstance(session, requests.Session):
            raise TypeError(session)
        self.session = session

    def fetch(self, url):
        return self.session.get(url)  # expect: API101


class LooseReader:
    def __init__(self, session):
        if not isinstance(session, requests.Session):
            print("not a session")
        self.session = session

    def fetch(self, url):
        return self.session.get(url)
