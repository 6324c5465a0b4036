from shop.compat import Session
from shop.utils import fetch, fetch_json, fetch_timed


def run():
    fetch_json("https://shop.example/jobs")  # expect: API101
    fetch("https://shop.example/jobs", timeout=2)
    fetch_timed("https://shop.example/jobs")
    with Session() as session:
        session.get("https://shop.example/ping")  # expect: API101
