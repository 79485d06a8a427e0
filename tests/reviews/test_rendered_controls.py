"""The action items and the reader's controls written in Python, held to the templates they replace.

reviews/rendered_items.py writes an action item (the template it replaced is kept
here, as it was); reviews/rendered.py writes a card's controls during the reading
(the ``#controls`` partial still renders them in the other modes); the comment
box's kind picker is written by ``CommentForm.kind_options`` (its loop kept here).
"""

import re
from datetime import timedelta

import pytest
from django.template import Context, Template
from django.template.loader import get_template
from django.test import RequestFactory
from django.utils import timezone

from reviews.forms import CommentForm
from reviews.rendered import CARD, _reading_controls
from reviews.templatetags.review_tools import action_item, action_item_list
from reviews.views.common import viewer_for
from tests.reviews.factories import action_item as make_item
from tests.reviews.factories import comment, discussion_session, reading_session

pytestmark = pytest.mark.django_db

ITEM_TEMPLATE = """{% load review_tools %}
<li class="action-item{% if item.is_done %} is-done{% endif %}"
    id="action-item-{{ item.pk }}">
  <span class="action-title">{{ item.title }}</span>
  <span class="muted">— {{ item.owner.name }}{% if item.due_on %}, due {{ item.due_label }}{% endif %}</span>
  {% if item.is_done %}
    <span class="comment-status">Done</span>
  {% elif item.is_overdue %}
    <span class="badge badge--danger">Overdue</span>
  {% endif %}
  {% if show_initiative %}
    <a class="small" href="{% url 'initiative_detail' item.initiative_id %}">{{ item.initiative.title }}</a>
  {% endif %}
  {% may_tick item as tickable %}
  {% if tickable %}
    <form method="post"
          action="{{ item.done_url }}"
          hx-post="{{ item.done_url }}"
          hx-target="#action-item-{{ item.pk }}"
          hx-swap="outerHTML"
          class="inline-form">
      {% csrf_token %}
      <input type="hidden" name="done" value="{{ item.is_done|yesno:'0,1' }}">
      {% if next %}<input type="hidden" name="next" value="{{ next }}">{% endif %}
      <button type="submit" class="button button--link">
        {% if item.is_done %}
          Reopen<span class="visually-hidden"> “{{ item.title }}”</span>
        {% else %}
          Mark done<span class="visually-hidden"> “{{ item.title }}”</span>
        {% endif %}
      </button>
    </form>
  {% endif %}
</li>"""  # noqa: E501 - the template as it was


def squeeze(html: str) -> str:
    """The markup without the whitespace between and inside tags' edges."""
    html = re.sub(r"\s+", " ", str(html)).strip()
    html = re.sub(r">\s+", ">", html)
    html = re.sub(r"\s+>", ">", html)  # "required >": a tag's closing after an empty {% if %}
    return re.sub(r"\s+<", "<", html)


def context_for(user, session, **extra) -> Context:
    return Context(
        {
            "user": user,
            "viewer": viewer_for(user, initiative=session.initiative, session=session),
            "csrf_token": "tok3n",
            **extra,
        }
    )


@pytest.mark.parametrize("done", [False, True])
@pytest.mark.parametrize("extra", [{}, {"next": "/me/?a=1&b=<2>", "show_initiative": True}])
def test_an_action_item_is_written_as_its_template_wrote_it(cast, done, extra):
    session = discussion_session(cast)
    thread = comment(cast.reviewer, session)
    item = make_item(
        cast.editor,
        thread,
        title='Ask <b>legal</b> & "finance"',
        due_on=timezone.localdate() - timedelta(days=1),
    )
    if done:
        item.done_at = timezone.now()
    for user in (cast.reviewer, cast.viewer, cast.editor):
        context = context_for(user, session, item=item, **extra)
        expected = squeeze(Template(ITEM_TEMPLATE).render(context))
        assert squeeze(action_item(context, item)) == expected
        assert "<b>" not in expected
        if not extra:
            assert squeeze(action_item_list(context, [item, item])) == expected * 2


def test_no_token_no_csrf_input(cast):
    session = discussion_session(cast)
    item = make_item(cast.editor, comment(cast.reviewer, session))
    context = context_for(cast.reviewer, session, item=item)
    context["csrf_token"] = "NOTPROVIDED"
    assert "csrfmiddlewaretoken" not in action_item(context, item)
    assert "Mark done" in action_item(context, item)


def test_the_readers_controls_are_written_as_the_partial_wrote_them(cast):
    session = reading_session(cast)
    mine = comment(cast.reviewer, session, body="<i>mine</i>")
    request = RequestFactory().get("/")
    for user, is_mine in ((cast.reviewer, True), (cast.editor, False)):
        mine.is_mine = is_mine
        context = context_for(user, session, comment=mine, request=request)
        expected = squeeze(get_template(f"{CARD}#controls").template.render(context))
        assert squeeze(_reading_controls(context, mine)) == expected
        assert ("Delete" in expected) is is_mine


KIND_LOOP = """{% with current=form.kind.value %}
  {% for value, label in form.fields.kind.choices %}
    <label for="id_kind_{{ forloop.counter0 }}" class="kind--{{ value }}">
      <input type="radio"
             name="kind"
             value="{{ value }}"
             id="id_kind_{{ forloop.counter0 }}"
             required
             {% if value == current %}checked{% endif %}>
      <span class="kind kind--{{ value }}">
        {% include "reviews/includes/kind_icon.html" with kind=value %}
        {{ label }}
      </span>
    </label>
  {% endfor %}
{% endwith %}"""


@pytest.mark.parametrize("data", [None, {"kind": "blocker"}, {"kind": "<nonsense>"}])
def test_the_kind_picker_is_written_as_its_loop_wrote_it(data):
    form = CommentForm(data, sections=[("summary", "Summary")])
    expected = squeeze(Template(KIND_LOOP).render(Context({"form": form})))
    assert squeeze(form.kind_options()) == expected
    assert expected.count('type="radio"') == 4
