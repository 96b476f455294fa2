"""A Flask app that hands work to a Celery worker through Redis."""
from flask import Flask

from tasks import add

app = Flask(__name__)


@app.route("/")
def index():
    total = add.delay(2, 3).get(timeout=20)
    return f"2 + 3 = {total}, computed by a Celery worker through redis\n"
