"""Same check page, same result: the key that makes sending it twice store one result.

A double click, a retry after a lost connection, or Back and the button again
send the same check page again. Each rendering of that page carries a random
value of its own: its CSRF token, which Django masks afresh for every response
(the page cache fills in a new one on every visit, see content.pagecache), and
which the browser sends back unchanged with that page's form. The key is a
keyed hash of that value and the page's canonical answers and texts, so

- the same page sent again gives the same key, and so the same permalink,
  without counting against the rate limit a second time;
- two visitors with the same answers have different pages, so different keys
  and a result each;
- a page whose answers were changed in the form gives another key.

Only the hash is stored: it says nothing about the visitor and can't be
turned back into the token.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.middleware.csrf import CSRF_TOKEN_LENGTH
from django.utils.crypto import salted_hmac

from decisionguide.questionnaire.state import State

# The form field the check page's `{% csrf_token %}` writes.
PAGE_NONCE_FIELD = "csrfmiddlewaretoken"
_SALT = "decisionguide.results.idempotency.submission"


def submission_key(guide_id: int, page_nonce: str, state: State) -> str | None:
    """The key of this check page's submission, or None when the post carries no
    page nonce of the expected shape (a script posting with a CSRF header, say):
    then every post stores a result of its own, as before."""
    if len(page_nonce) != CSRF_TOKEN_LENGTH:
        return None
    # The state's own query: answers in question order, each text after its answer.
    canonical = urlencode(State(answers=state.answers, texts=state.texts).params())
    value = f"{guide_id}\n{page_nonce}\n{canonical}"
    return salted_hmac(_SALT, value, algorithm="sha256").hexdigest()
