import requests as http
from requests import Session

__all__ = ["Session", "http"]
