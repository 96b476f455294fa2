"""A one-file Flask app: the shape of most tutorials."""
from flask import Flask, render_template

app = Flask(__name__)


@app.route("/")
def index():
    return render_template("index.html", title="Hello from a single-file app")


if __name__ == "__main__":
    # Development only: the container runs gunicorn instead.
    app.run(debug=True)
