from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import path
from django.views.i18n import set_language

from decisionguide import errors, ops
from decisionguide.embed import views as embed_views
from decisionguide.guides import urls as guide_urls
from decisionguide.questionnaire import urls as questionnaire_urls
from decisionguide.results import urls as result_urls

# The public patterns in one flat list, most visited first: nested include()s
# cost a resolver call each, and URL resolving was the largest single cost of
# a memoised page. The admin and the probes (answered by middleware) come last.
# The public pages once per language: English at the addresses it always had, the others
# under their code (/fr/...); the language is read from the prefix (decisionguide.locale).
urlpatterns = [
    *i18n_patterns(
        *questionnaire_urls.urlpatterns,
        *guide_urls.urlpatterns,
        *result_urls.urlpatterns,
        prefix_default_language=False,
    ),
    path("oembed", embed_views.oembed, name="oembed"),
    path(f"{settings.ADMIN_PATH}/", admin.site.urls),
    # The admin's language switcher posts here: it sets Django's language cookie.
    path("i18n/setlang/", set_language, name="set_language"),
    path("healthz", ops.healthz, name="healthz"),
    path("readyz", ops.readyz, name="readyz"),
]

# Our own error views: they never read the request body or run the CSRF check
# again, so a request Django refused can't turn its 400 into a 500.
handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
