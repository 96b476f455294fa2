#!/usr/bin/env python3
"""The ecosystem check: flaskdock on real Flask apps written by others.

Extracts every app of ../shared/ecosystem (beside the project's root, or
$FLASKDOCK_ECOSYSTEM) into a temporary folder, runs `flaskdock inspect --json`
and `flaskdock init --yes` on each, scores every fact its key.toml declares,
and prints one table (app, fact, expected, got) with a summary.

Exit status: 0 when every fact recorded as right in scripts/ecosystem-right.txt
is still right and the env-var recall is at least the recorded floor; 1 on a
regression (each one named); with --strict, 1 unless every fact is right and
the recall is at least 90% (the bar issue 14 sets). --record rewrites the list
from this run. Skips (exit 0) with a message where the suite is absent.

Usage: scripts/ecosystem.py [--bin PATH] [--strict] [--record] [APP_ID...]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RIGHT_FILE = REPO / "scripts" / "ecosystem-right.txt"
SUPPORTED = ["3.9", "3.10", "3.11", "3.12", "3.13", "3.14"]
RECALL_BAR = 0.90
TIMEOUT = 120


def suite_dir() -> Path:
    return Path(os.environ.get("FLASKDOCK_ECOSYSTEM", REPO.parent / "shared" / "ecosystem"))


def flaskdock(binary: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [binary, *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
    )


def minor(version: str) -> tuple[int, int]:
    major, minor_, *_ = (version.split(".") + ["0"])[:2]
    return int(major), int(minor_)


def in_range(version: str, spec: str) -> bool:
    """Whether the later patch releases of `version` (3.12) satisfy a PEP 440
    range made of comparisons (`>=3.10,<4.0`)."""
    probe = minor(version) + (99,)
    for part in spec.split(","):
        m = re.fullmatch(r"\s*(>=|<=|==|!=|<|>|~=)\s*([0-9.*]+)\s*", part)
        if not m:
            return False
        op, value = m.groups()
        nums = tuple(int(n) for n in value.replace(".*", "").split("."))
        bound = nums + (0,) * (3 - len(nums))
        if op == ">=" and not probe >= bound:
            return False
        if op == ">" and not probe > bound:
            return False
        if op == "<" and not probe < bound:
            return False
        if op == "<=" and not probe <= bound:
            return False
        if op in ("==", "~=") and probe[: len(nums) if op == "==" else len(nums) - 1] != nums[
            : len(nums) if op == "==" else len(nums) - 1
        ]:
            return False
    return True


def build_packages(entries: list[str]) -> set[str] | None:
    """The Debian packages a key's `native_build_deps` names, or None when an
    entry is prose (a runtime library, a condition) that no package list says."""
    wanted: set[str] = set()
    for entry in entries:
        word = entry.split()[0]
        if word == "python3-dev":
            continue  # the python image has the headers
        if " if " in entry or not re.fullmatch(r"[a-z0-9.+-]+", word):
            return None
        wanted.add("gcc" if word == "build-essential" else word)
    return wanted


class Row:
    def __init__(self, app: str, fact: str, expected: str, got: str, ok: bool | None):
        self.app, self.fact, self.expected, self.got, self.ok = app, fact, expected, got, ok


def score(app: dict, facts: dict, init: subprocess.CompletedProcess) -> tuple[list[Row], int, int]:
    """Rows for one app, and its env-var hits and total."""
    rows: list[Row] = []
    name = app["id"]

    def row(fact: str, expected, got, ok: bool | None) -> None:
        rows.append(Row(name, fact, str(expected), str(got), ok))

    init_line = init.stderr.strip().splitlines()[-1] if init.returncode else "written"
    row("init", "exit 0", f"exit {init.returncode}: {init_line}"[:90], init.returncode == 0)

    targets = [app["wsgi_target"], *app.get("wsgi_target_alternatives", [])]
    row("wsgi target", " | ".join(targets), facts.get("entry"), facts.get("entry") in targets)

    got_python = facts.get("python_version")
    declared = app["python_version"]
    if "python_range" in app:
        row("python", f"in {app['python_range']}", got_python,
            got_python in SUPPORTED and in_range(got_python, app["python_range"]))
    elif declared != "none declared":
        row("python", declared, got_python, got_python == declared)
    else:
        row("python", "none declared (not scored)", got_python, None)

    port = app["port"]
    if re.fullmatch(r"\d+", port):
        row("port", port, facts.get("port"), str(facts.get("port")) == port)
    else:
        row("port", f"{port} (not scored)", facts.get("port"), None)

    database = facts.get("database")
    if app["needs_postgres"]:
        row("postgres", "postgres", database, database == "postgres")
    else:
        row("postgres", "not postgres", database, database != "postgres")

    wanted = build_packages(app["native_build_deps"])
    got = set(facts.get("build_packages") or [])
    if "build-essential" in got:
        got.add("gcc")  # build-essential brings gcc
    if wanted is None:
        row("build packages", "; ".join(app["native_build_deps"]) + " (not scored)", sorted(got), None)
    elif not wanted:
        row("build packages", "none", sorted(got) or "none", not got)
    else:
        row("build packages", "includes " + " ".join(sorted(wanted)), " ".join(sorted(got)) or "none",
            wanted <= got)

    redis = app["redis_or_celery"]
    got_redis = bool(facts.get("redis")) or bool(facts.get("celery_app"))
    if redis.lower().startswith("none"):
        row("redis/celery", "none", "redis" if got_redis else "none", not got_redis)
    elif "optional" in redis.split(":")[0].lower():
        row("redis/celery", "optional (not scored)", got_redis, None)
    else:
        row("redis/celery", "yes", "redis" if got_redis else "none", got_redis)

    migrations = app["migrations"]
    want_migrate = migrations.startswith("Flask-Migrate") and "NO migrations/" not in migrations
    got_migrate = facts.get("migrations")
    row("migrations", "flask db upgrade (or the app's own)" if want_migrate else "none at start",
        got_migrate or "none", bool(got_migrate) == want_migrate)

    expected_vars = set(app["env_vars_read"])
    got_vars = set(facts.get("env_vars") or [])
    hits = len(expected_vars & got_vars)
    missing = sorted(expected_vars - got_vars)
    extra = sorted(got_vars - expected_vars)
    got_text = f"{hits}/{len(expected_vars)}"
    if missing:
        got_text += " missing " + " ".join(missing)
    if extra:
        got_text += f"; {len(extra)} more: " + " ".join(extra[:6]) + (" ..." if len(extra) > 6 else "")
    required = set(app.get("env_vars_required_at_import", []))
    if required:
        marked = {v["name"] for v in facts.get("env_var_details") or [] if v.get("required")}
        unmarked = sorted(required - marked)
        row("required at import", " ".join(sorted(required)),
            "all marked required" if not unmarked else "not marked: " + " ".join(unmarked), not unmarked)
    recall = hits / len(expected_vars) if expected_vars else 1.0
    row("env vars read", f"{len(expected_vars)} names, recall >= 90%", got_text, recall >= RECALL_BAR)
    return rows, hits, len(expected_vars)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", help="a flaskdock binary (default: the debug build, rebuilt first)")
    parser.add_argument("--strict", action="store_true")
    parser.add_argument("--record", action="store_true")
    parser.add_argument("apps", nargs="*")
    args = parser.parse_args()

    suite = suite_dir()
    if not (suite / "key.toml").is_file():
        print(f"ecosystem: skipped, no suite at {suite} (set FLASKDOCK_ECOSYSTEM to its folder)")
        return 0
    if args.bin is None:
        # Always through cargo: a binary left from an older checkout scores old code.
        subprocess.run(["cargo", "build", "--locked", "--quiet"], cwd=REPO, check=True)
        args.bin = str(REPO / "target" / "debug" / "flaskdock")
    key = tomllib.loads((suite / "key.toml").read_text())
    apps = [a for a in key["app"] if not args.apps or a["id"] in args.apps]

    started = time.monotonic()
    rows: list[Row] = []
    hits = total = 0
    with tempfile.TemporaryDirectory(prefix="flaskdock-ecosystem-") as tmp:
        for app in apps:
            with tarfile.open(suite / "apps" / f"{app['id']}.tar.gz") as archive:
                archive.extractall(tmp, filter="data")
            root = Path(tmp) / app["dir"]
            inspected = flaskdock(args.bin, "inspect", "--json", str(root))
            try:
                facts = json.loads(inspected.stdout) if inspected.returncode == 0 else {}
            except json.JSONDecodeError:
                facts = {}
            if not facts:
                line = (inspected.stderr.strip().splitlines() or ["no output"])[-1]
                rows.append(Row(app["id"], "inspect", "exit 0", f"exit {inspected.returncode}: {line}"[:90], False))
            init = flaskdock(args.bin, "init", "--yes", "--quiet", "-o", str(Path(tmp) / "out" / app["id"]), str(root))
            app_rows, app_hits, app_total = score(app, facts, init)
            rows.extend(app_rows)
            hits += app_hits
            total += app_total

    widths = [max(len(getattr(r, f)) for r in rows + [Row("app", "fact", "expected", "got", None)])
              for f in ("app", "fact", "expected", "got")]
    widths = [min(w, 60) for w in widths]

    def cut(text: str, width: int) -> str:
        return text if len(text) <= width else text[: width - 1] + "…"

    header = ("app", "fact", "expected", "got")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)) + "  result")
    for r in rows:
        mark = {True: "ok", False: "WRONG", None: "-"}[r.ok]
        cells = (r.app, r.fact, r.expected, r.got)
        print("  ".join(cut(c, w).ljust(w) for c, w in zip(cells, widths)) + f"  {mark}")

    scored = [r for r in rows if r.ok is not None]
    right = [r for r in scored if r.ok]
    recall = hits / total if total else 1.0
    print()
    print(f"ecosystem: {len(apps)} apps, {len(right)}/{len(scored)} scored facts right, "
          f"env-var recall {hits}/{total} = {recall:.0%}, in {time.monotonic() - started:.1f} s")

    now_right = sorted(f"{r.app} | {r.fact}" for r in right)
    if args.record:
        floor = int(recall * 100)
        RIGHT_FILE.write_text(
            "# Facts of the ecosystem check (scripts/ecosystem.py) that are right today;\n"
            "# a run fails when one of them goes wrong. Rewrite with --record.\n"
            f"recall-floor-percent = {floor}\n" + "".join(f"{line}\n" for line in now_right)
        )
        print(f"ecosystem: recorded {len(now_right)} right facts and a recall floor of {floor}% in {RIGHT_FILE.relative_to(REPO)}")
        return 0

    failed = False
    if RIGHT_FILE.is_file() and not args.apps:
        lines = [l for l in RIGHT_FILE.read_text().splitlines() if l and not l.startswith("#")]
        floor = next((int(l.split("=")[1]) for l in lines if l.startswith("recall-floor-percent")), 0)
        recorded = {l for l in lines if not l.startswith("recall-floor-percent")}
        regressions = sorted(recorded - set(now_right))
        for line in regressions:
            print(f"ecosystem: REGRESSION: {line} was right and is now wrong")
        if recall * 100 < floor:
            print(f"ecosystem: REGRESSION: env-var recall {recall:.0%} is below the recorded {floor}%")
        failed = bool(regressions) or recall * 100 < floor
        improved = sorted(set(now_right) - recorded)
        if improved:
            print(f"ecosystem: {len(improved)} facts right that the record does not list yet (run with --record)")
    wrong = len(scored) - len(right)
    if wrong or recall < RECALL_BAR:
        print(f"ecosystem: not yet at issue 14's bar: {wrong} scored facts wrong, recall {recall:.0%} (bar 90%)")
        if args.strict:
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
