import pytest
from django.core.exceptions import ImproperlyConfigured

from wbapp.env import env_bool, env_int, env_list, env_timezone, env_url


@pytest.mark.parametrize("raw", ["maybe", "2", "yess"])
def test_junk_boolean_is_refused_with_the_variable_name(monkeypatch, raw):
    monkeypatch.setenv("WB_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="WB_FLAG"):
        env_bool("WB_FLAG")


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("off", False), ("TRUE", True)])
def test_boolean_spellings_are_understood(monkeypatch, raw, expected):
    monkeypatch.setenv("WB_FLAG", raw)
    assert env_bool("WB_FLAG") is expected


def test_junk_integer_is_refused(monkeypatch):
    monkeypatch.setenv("WB_NUMBER", "12abc")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        env_int("WB_NUMBER", 3)


def test_integer_below_minimum_is_refused(monkeypatch):
    monkeypatch.setenv("WB_NUMBER", "-1")
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        env_int("WB_NUMBER", 3, minimum=0)


def test_list_with_empty_entry_is_refused(monkeypatch):
    monkeypatch.setenv("WB_HOSTS", "a.example,,b.example")
    with pytest.raises(ImproperlyConfigured, match="empty entry"):
        env_list("WB_HOSTS")


def test_url_with_wrong_scheme_is_refused(monkeypatch):
    monkeypatch.setenv("WB_DB", "mysql://db/x")
    with pytest.raises(ImproperlyConfigured, match="postgres"):
        env_url("WB_DB", schemes=("postgres", "sqlite"))


def test_unknown_time_zone_is_refused(monkeypatch):
    monkeypatch.setenv("WB_TZ", "Mars/Olympus")
    with pytest.raises(ImproperlyConfigured, match="IANA"):
        env_timezone("WB_TZ", "UTC")
