"""The engine's and the checks' sentences (decisionguide.decision.words): English where no
language is active, the active language under Django, put into words only when shown."""

from __future__ import annotations

import pickle

from django.utils import translation

from decisionguide.decision import words
from decisionguide.decision.words import gettext_lazy, listing, ngettext_lazy


def test_without_django_a_sentence_is_its_english_template_filled_in():
    sentence = gettext_lazy("Add %(name)s", name=gettext_lazy("Home"))
    assert words.english(sentence) == "Add Home"
    counted = ngettext_lazy("%(count)s item", "%(count)s items", 3, count=3)
    assert words.english(counted) == "3 items"
    assert words.english_list(("a", "b", "c"), "or") == "a, b or c"


def test_the_same_object_reads_in_whichever_language_is_active_when_shown():
    # Both msgids are in the site's French catalogue (Django's admin strings it overrides).
    sentence = gettext_lazy("Add %(name)s", name=gettext_lazy("Home"))
    with translation.override("en"):
        assert str(sentence) == "Add Home"
    with translation.override("fr"):
        assert str(sentence) == "Ajouter Accueil"
        assert f"{sentence}!" == "Ajouter Accueil!"
        assert str(listing(["a", "b", "c"])) == "a, b et c"
        assert str(listing(["a", "b"], "or")) == "a ou b"
    # A cached report holds the objects, never the words: it still reads in English after.
    assert str(pickle.loads(pickle.dumps(sentence))) == "Add Home"
