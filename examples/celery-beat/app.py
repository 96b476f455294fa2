"""A Flask app whose Celery app is made by a factory, with a beat schedule."""
import os

from celery import Celery
from flask import Flask
from redis import Redis


def make_celery(flask_app):
    celery = Celery(
        flask_app.import_name,
        broker=flask_app.config["CELERY_BROKER_URL"],
        backend=flask_app.config["CELERY_RESULT_BACKEND"],
    )
    # Every two seconds beat sends `tick` to the worker.
    celery.conf.beat_schedule = {"tick": {"task": "tick", "schedule": 2.0}}
    return celery


def create_app():
    flask_app = Flask(__name__)
    flask_app.config["CELERY_BROKER_URL"] = os.environ["CELERY_BROKER_URL"]
    flask_app.config["CELERY_RESULT_BACKEND"] = os.environ["CELERY_RESULT_BACKEND"]
    return flask_app


app = create_app()
celery = make_celery(app)
counter = Redis.from_url(os.environ["REDIS_URL"])


@celery.task(name="tick")
def tick():
    return counter.incr("beat-ticks")


@celery.task(name="add")
def add(a, b):
    return a + b


@app.route("/")
def index():
    total = add.delay(2, 3).get(timeout=20)
    ticks = 0
    for _ in range(20):
        ticks = int(counter.get("beat-ticks") or 0)
        if ticks:
            break
        add.delay(0, 0).get(timeout=5)  # about a beat interval
    return (
        f"2 + 3 = {total}, computed by a Celery worker; "
        f"{ticks} ticks scheduled by Celery beat\n"
    )
