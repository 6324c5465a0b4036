from .checked import CheckingSession, PlainSession


def delete_item(url):
    session = CheckingSession()
    session.delete(url, timeout=5)
    return session.get(url, timeout=5).json()


def plain(url):
    session = PlainSession()
    session.delete(url, timeout=5)  # expect: API202
    return session.get(url, timeout=5).json()  # expect: API201
