"""A JSON API whose Flask object is called `api`: the target is `quotes:api`."""
import os
import random

from flask import Flask, jsonify

QUOTES = [
    "Simple is better than complex.",
    "Readability counts.",
    "Errors should never pass silently.",
]

api = Flask(__name__)


@api.get("/")
def random_quote():
    pinned = os.getenv("QUOTE_OF_THE_DAY")
    return jsonify(quote=pinned or random.choice(QUOTES), managed_by="poetry")
