"""Guide files for tests: loadguide and dumpguide run as commands, YAML read and written,
and the database state a load must leave alone.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from decisionguide.content.models import Guide
from decisionguide.decision.document import GuideDocument
from decisionguide.guidefiles.yaml_io import dump_guide_yaml

Data = dict[str, Any]


def loadguide(*files: Path | str) -> str:
    out = io.StringIO()
    call_command("loadguide", *map(str, files), stdout=out)
    return out.getvalue()


def dumpguide(slug: str) -> str:
    out = io.StringIO()
    call_command("dumpguide", slug, stdout=out)
    return out.getvalue()


def read_data(path: Path) -> Data:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def write_data(path: Path, data: Data) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def database_state() -> dict[str, Any]:
    """Everything a failed load must leave alone: rows, versions and every guide's content."""
    return {
        "rows": {
            model.__name__: sorted(model.objects.values_list("pk", flat=True))
            for model in apps.get_app_config("guides").get_models()
        },
        "guides": {g.slug: (g.version, dump_guide_yaml(g)) for g in Guide.objects.all()},
    }


def write_guide(tmp_path, doc: GuideDocument) -> str:
    path = tmp_path / "guide.yaml"
    path.write_text(yaml.safe_dump(doc.to_data(), sort_keys=False), encoding="utf-8")
    return str(path)


def refused_load(
    source: Path, tmp_path: Path, edit: Callable[[Data], Any], name: str
) -> tuple[str, Path]:
    """Load `source` with a changed title and `edit` applied, written to `tmp_path / name`.

    Asserts the load is refused and the database is left as it was; returns the
    refusal's message and the file it names.
    """
    data = copy.deepcopy(read_data(source))
    data["title"] = "A changed title that must not be saved"
    edit(data)
    bad_file = write_data(tmp_path / name, data)
    before = database_state()
    with pytest.raises(CommandError) as excinfo:
        loadguide(bad_file)
    assert database_state() == before
    return str(excinfo.value), bad_file
