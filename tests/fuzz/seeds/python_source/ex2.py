"""The Celery app and its tasks; the worker runs `celery --app tasks:celery_app worker`."""
import os

from celery import Celery

celery_app = Celery(
    "tasks",
    broker=os.environ["CELERY_BROKER_URL"],
    backend=os.environ["CELERY_RESULT_BACKEND"],
)


@celery_app.task
def add(a, b):
    return a + b
