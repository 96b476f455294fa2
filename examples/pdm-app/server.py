"""`server.py` holding `app`; `python server.py` listens on $PORT, 5050 by default."""
import os

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/")
def status():
    return jsonify(status="green", board=os.getenv("BOARD_NAME", "main"), managed_by="pdm")


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 5050)))
