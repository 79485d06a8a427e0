"""The two floors `make bench` measures every page against, served by the same processes.

Mounted only when ``settings.BENCH_BASELINES`` is on (see wbapp/urls.py): a
production deployment never serves them. Neither needs a signed-in user, so
neither loads the session; a page's cost above them is the page's own.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from wbapp.accounts.models import Team

BASELINE_ROWS = 20


@require_GET
def minimal(request: HttpRequest) -> HttpResponse:
    """Django's floor: the whole middleware stack around a fixed response."""
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


@require_GET
def query_and_template(request: HttpRequest) -> HttpResponse:
    """The floor of a real page: exactly one query, rendered by a small template."""
    teams = list(Team.objects.order_by("name", "pk").values("name", "slug")[:BASELINE_ROWS])
    return render(request, "bench/baseline.html", {"teams": teams})
