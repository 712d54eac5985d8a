"""The README's commands: what .ci/readme_commands.py runs in a fresh clone, checked here
without running them (names, form), so a typo fails fast in the suite too."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from django.conf import settings
from django.core.management import get_commands

BASE_DIR = Path(settings.BASE_DIR)
README = (BASE_DIR / "README.md").read_text(encoding="utf-8")


def load_script():
    spec = importlib.util.spec_from_file_location(
        "readme_commands", BASE_DIR / ".ci" / "readme_commands.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_shows_its_commands_in_runnable_form() -> None:
    script = load_script()
    commands = script.readme_commands(README)
    names = [script.command_name(line) for line in commands]
    # The commands a newcomer needs, in an order that works from an empty database.
    for needed in ("migrate", "loadguide", "checkguide", "createsuperuser", "createeditor"):
        assert needed in names
    assert names.index("migrate") < names.index("loadguide") < names.index("checkguide")
    assert set(names) <= set(get_commands())  # every one a real management command
    # Placeholders would fail as printed: the blocks hold real values.
    assert not [line for line in commands if re.search(r"\b(SLUG|FILE|USERNAME)\b", line)]


def test_no_readme_block_uses_a_python_without_the_venv() -> None:
    blocks = "\n".join(load_script().SH_BLOCK.findall(README))
    assert "manage.py" not in blocks  # plain `python manage.py` has no Django (bin/manage does)


def test_prompting_commands_get_their_non_interactive_form() -> None:
    script = load_script()
    line, reason = script.as_script_runs_it("bin/manage createsuperuser   # the first admin")
    assert line == "bin/manage createsuperuser --noinput # the first admin"
    assert "DJANGO_SUPERUSER_PASSWORD" in reason
    editor, _ = script.as_script_runs_it("bin/manage createeditor ed --email ed@example.com")
    assert editor == "bin/manage createeditor ed --email ed@example.com --no-input"
    assert script.as_script_runs_it("bin/manage loadguide") == ("bin/manage loadguide", "")
