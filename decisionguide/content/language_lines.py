"""What a publish did for each language, in the words editors read (issue 24).

`put_live` (guidefiles.loading) and a scheduled publish (content.schedule) move each
translated language to the version going live only when it is complete there
(`decision.translations.languages_going_live`); `publish_lines` then says so, per
language: "French published", or what kept it back and which version its readers keep.
The admin's publish messages end with these lines, and so does a scheduled publish's
record on the history page (it happens with no editor there to read a message).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from decisionguide.content.models import Guide, GuideVersion
from decisionguide.decision.translations import language_status, languages_of, status_words
from decisionguide.languages import language_name, translated_languages


def publish_lines(guide: Guide) -> list[str]:
    """One line per language about the guide's published version: each public language the
    guide has translations into (a guide never translated has nothing to say)."""
    version = guide.published_version
    if version is None:
        return []
    data = version.document
    shown = guide.language_versions or {}
    numbers = dict(
        GuideVersion.objects.filter(pk__in=list(shown.values())).values_list("pk", "version")
    )
    lines = []
    started = set(languages_of(data)) | set(shown)
    for code in (code for code in translated_languages() if code in started):
        name = language_name(code)
        status = language_status(data, code)
        said = {"status": str(status_words(status, name)), "language": name}
        if status.complete:
            lines.append(said["status"])
        elif code in shown and shown[code] in numbers:
            said["version"] = numbers[shown[code]]
            lines.append(_("%(status)s; %(language)s readers keep version %(version)s") % said)
        else:
            said["source"] = language_name(settings.LANGUAGE_CODE)
            lines.append(_("%(status)s; %(language)s readers see %(source)s until it is") % said)
    return lines


def with_languages(message: str, guide: Guide) -> str:
    """`message` about a publish, followed by what it did for each language."""
    lines = publish_lines(guide)
    return " ".join([message, *(f"{line}." for line in lines)])
