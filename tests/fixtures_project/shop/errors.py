import requests


class ApiError(requests.RequestException):
    pass


class NotFound(ApiError):
    pass


class Plain(Exception):
    pass
