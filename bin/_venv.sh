# Sourced by bin/serve, bin/manage, bin/test and bench/run: make a virtual environment and
# install the project into it.
#   source bin/_venv.sh EXTRAS FOLDER      (e.g. "" .venv; always pass both: a bare
#                                          `source` hands it the caller's own arguments)
# Reinstalls only when pyproject.toml changes (a stamp file keeps its hash). The tests use
# their own folder (.venv-test), so a test run never reinstalls into the environment a
# running bin/serve imports from. Progress goes to stderr: stdout stays the command's own
# (`bin/manage dumpguide SLUG > guide.yaml` works on the very first run too).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
extras="${1:-}"
venv="${2:-.venv}"
python="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
  echo "==> Creating $venv with $($python --version 2>&1)" >&2
  "$python" -m venv "$venv" >&2 || {
    echo "Could not create a virtual environment. On Debian/Ubuntu: sudo apt-get install python3-venv" >&2
    exit 1
  }
fi
stamp="$venv/.installed${extras:+-$extras}"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "==> Installing dependencies into $venv${extras:+ (with [$extras])}" >&2
  "$venv/bin/python" -m pip install --quiet --upgrade pip >&2
  "$venv/bin/python" -m pip install --quiet -e ".${extras:+[$extras]}" >&2
  echo "$want" > "$stamp"
fi
