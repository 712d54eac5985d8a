#!/usr/bin/env python3
"""Run every management command the README shows, as printed, in a fresh clone.

    python3 .ci/readme_commands.py [--keep]

The current commit is cloned into a temporary folder (nothing of this checkout comes
along: no .venv, no database, no uncommitted change), then each line of the README's
```sh blocks that starts with `bin/manage` runs there, in order, with bash, without a
terminal and with none of this environment's Django or DECISIONGUIDE_ variables: what a
newcomer's shell would do. The first one creates the clone's own .venv, as it would on
a new machine. Commands that prompt get their documented non-interactive form (see
NON_INTERACTIVE). Exits non-zero if any command fails, or if the README shows none.

Standard library only: it runs before any virtual environment exists.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SH_BLOCK = re.compile(r"^```(?:sh|bash|shell)\n(.*?)^```", re.MULTILINE | re.DOTALL)
PREFIX = "bin/manage "
# Prompting commands and how a script answers them instead, with the reason.
NON_INTERACTIVE = {
    "createsuperuser": (
        "--noinput",
        "asks for a password: given in DJANGO_SUPERUSER_PASSWORD instead",
    ),
    "createeditor": (
        "--no-input",
        "asks for a password: given in DECISIONGUIDE_EDITOR_PASSWORD instead",
    ),
}
# The first command installs the clone's .venv; later ones take seconds.
FIRST_TIMEOUT, TIMEOUT = 1200, 300
# The environment of the machine running this, not of a newcomer.
DROPPED = ("DJANGO_", "DECISIONGUIDE_", "WHITENOISE_", "GUNICORN_", "VIRTUAL_ENV")


def readme_commands(readme: str) -> list[str]:
    """Lines of the README's shell blocks that run a management command, in order."""
    return [
        line.strip()
        for block in SH_BLOCK.findall(readme)
        for line in block.splitlines()
        if line.strip().startswith(PREFIX)
    ]


def command_name(line: str) -> str:
    return line.removeprefix(PREFIX).split()[0]


def as_script_runs_it(line: str) -> tuple[str, str]:
    """The line as it runs here, and why it differs from the README ('' if it doesn't)."""
    flag, reason = NON_INTERACTIVE.get(command_name(line), ("", ""))
    if not flag:
        return line, ""
    code, hash_, comment = line.partition(" #")
    return f"{code.rstrip()} {flag}{hash_}{comment}", reason


def newcomer_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(DROPPED)}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    password = secrets.token_urlsafe(18)
    env |= {
        "DJANGO_SUPERUSER_USERNAME": "newcomer",
        "DJANGO_SUPERUSER_EMAIL": "newcomer@example.com",
        "DJANGO_SUPERUSER_PASSWORD": password,
        "DECISIONGUIDE_EDITOR_PASSWORD": password,
    }
    return env


def run_all(clone: Path, commands: list[str]) -> list[str]:
    env = newcomer_env()
    failed = []
    for number, line in enumerate(commands):
        command, reason = as_script_runs_it(line)
        print(f"==> {command}" + (f"    ({reason})" if reason else ""), flush=True)
        started = time.monotonic()
        try:
            result = subprocess.run(
                ["bash", "-c", command],
                cwd=clone,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=FIRST_TIMEOUT if number == 0 else TIMEOUT,
            )
            status, output = result.returncode, result.stdout + result.stderr
        except subprocess.TimeoutExpired as exc:
            status, output = "timed out", f"{exc.stdout or ''}{exc.stderr or ''}"
        print(f"    exit {status} after {time.monotonic() - started:.0f}s", flush=True)
        if status != 0:
            failed.append(line)
            print("\n".join(f"    | {text}" for text in str(output).splitlines()[-30:]))
    return failed


def main(argv: list[str]) -> int:
    keep = "--keep" in argv
    workdir = Path(tempfile.mkdtemp(prefix="decisionguide-readme-"))
    clone = workdir / "clone"
    try:
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        commands = readme_commands((clone / "README.md").read_text(encoding="utf-8"))
        if not commands:
            print("README.md shows no `bin/manage` command in a ```sh block", file=sys.stderr)
            return 1
        print(f"{len(commands)} README commands in a fresh clone at {clone}")
        failed = run_all(clone, commands)
    finally:
        if keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if failed:
        print("FAILED:\n" + "\n".join(f"  {line}" for line in failed), file=sys.stderr)
        return 1
    print("Every README command worked.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
