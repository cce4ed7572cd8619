"""A programme's related groups and events follow the one visibility rule."""

import pytest

from tests.events.factories import make_event
from tests.groups.factories import make_group
from tests.members.factories import UserFactory
from tests.programmes.factories import make_programme

pytestmark = pytest.mark.django_db


def test_related_groups_and_events_show_only_what_the_person_may_see(client):
    programme = make_programme("Talk About Local")
    member = UserFactory()
    open_group = make_group(kind="open", name="Local sites club")
    private = make_group(kind="private", name="Hidden steering group", members=[member])
    event = make_event(title="Hyperlocal meetup")
    secret_event = make_event(title="Steering meeting", group=private, organiser=private.created_by)
    programme.related_groups.add(open_group, private)
    programme.related_events.add(event, secret_event)

    html = client.get(programme.get_absolute_url()).content.decode()
    assert "Local sites club" in html and "Hyperlocal meetup" in html
    assert "Hidden steering group" not in html and "Steering meeting" not in html

    client.force_login(member)
    html = client.get(programme.get_absolute_url()).content.decode()
    assert "Hidden steering group" in html and "Steering meeting" in html
