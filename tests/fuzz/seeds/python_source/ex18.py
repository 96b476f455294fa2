"""Page counter: a Flask app managed by uv."""
from page_counter.app import APP

__all__ = ["APP"]
