from django.db.models import QuerySet

from programmes.models import Programme


def programme_list() -> QuerySet[Programme]:
    return Programme.objects.only("name", "slug", "summary").order_by("name")
