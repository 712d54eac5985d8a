"""Fill the results table up to COUNT rows; print a sample of 500 ids (bench/bench.py runs it).

    python -c "import runpy; runpy.run_path('bench/store_results.py', run_name='__main__')" \
        COUNT GUIDE      (from the project folder, with DJANGO_SETTINGS_MODULE set)
"""

import random
import sys

import django

django.setup()

from django.db import transaction  # noqa: E402

from decisionguide.content.models import Guide  # noqa: E402
from decisionguide.decision.engine import evaluate  # noqa: E402
from decisionguide.results.ids import new_result_id  # noqa: E402
from decisionguide.results.models import Result  # noqa: E402

BATCH = 5000

target, slug = int(sys.argv[1]), sys.argv[2]
guide = Guide.objects.get(slug=slug)
version = guide.published_version
doc = guide.published_document()
profiles = [dict(s.answers) for s in doc.scenarios]
decisions = [evaluate(doc, p).to_json() for p in profiles]
have = Result.objects.count()
while have < target:
    rows = []
    for _ in range(min(BATCH, target - have)):
        i = random.randrange(len(profiles))
        rows.append(
            Result(
                id=new_result_id(),
                guide_version=version,
                answers=profiles[i],
                decision=decisions[i],
            )
        )
    with transaction.atomic():
        Result.objects.bulk_create(rows, ignore_conflicts=True)
    have = Result.objects.count()
    print(f"stored {have} results", file=sys.stderr, flush=True)
print(" ".join(Result.objects.order_by("?").values_list("id", flat=True)[:500]))
