"""The bench's two baselines: mounted only on request, and as cheap as they claim."""

import pytest
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse

from tests.factories import TeamFactory
from wbapp import bench_views

pytestmark = pytest.mark.django_db


def test_baselines_are_not_served_unless_the_bench_asks(client):
    with pytest.raises(NoReverseMatch):
        reverse("bench_minimal")
    assert client.get("/bench/minimal").status_code == 404
    assert client.get("/bench/query").status_code == 404


def test_minimal_view_answers_without_a_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = bench_views.minimal(RequestFactory().get("/bench/minimal"))

    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_query_view_runs_one_query_and_lists_teams(django_assert_num_queries):
    TeamFactory(name="Returns & Refunds")
    TeamFactory(name="Checkout")

    with django_assert_num_queries(1):
        response = bench_views.query_and_template(RequestFactory().get("/bench/query"))

    assert response.status_code == 200
    content = response.content.decode()
    assert content.index("Checkout") < content.index("Returns &amp; Refunds")


def test_baselines_refuse_anything_but_get():
    response = bench_views.minimal(RequestFactory().post("/bench/minimal"))

    assert response.status_code == 405
