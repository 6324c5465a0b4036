import requests
import trio_like


class ApiError(requests.RequestException):
    pass


class NotFound(ApiError):
    pass


class Plain(Exception):
    pass


class Cancelled(trio_like.Cancelled):  # a library the index cannot read (trio's derives from BaseException)
    pass
