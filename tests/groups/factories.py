from groups import services
from tests.members.factories import UserFactory


def make_group(*, kind="open", organiser=None, name=None, members=()):
    organiser = organiser or UserFactory()
    group = services.group_create(
        creator=organiser, name=name or f"{kind.capitalize()} group", kind=kind, description="About"
    )
    for member in members:
        if kind == "open":
            services.group_join(group=group, member=member)
        else:
            services.group_invite(group=group, actor=organiser, member=member)
            services.group_join(group=group, member=member)
    group.refresh_from_db()
    return group
