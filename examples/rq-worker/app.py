"""A Flask app that hands work to an RQ worker through Redis, on a named queue."""
import os
import time

from flask import Flask
from redis import Redis
from rq import Queue

from jobs import count_words

app = Flask(__name__)
reports = Queue("reports", connection=Redis.from_url(os.environ["REDIS_URL"]))


@app.route("/")
def index():
    job = reports.enqueue(count_words, "a job for the worker")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if job.is_finished:
            return f"{job.return_value()} words, counted by an RQ worker through redis\n"
        time.sleep(0.2)
    return "the RQ worker did not answer within 20 s\n", 503
