from .models import Activity


def activity_record(*, team, actor, verb: str, initiative=None, **payload) -> Activity:
    """Record one event. Call it inside the transaction of the change it describes."""
    return Activity.objects.create(
        team=team, actor=actor, verb=verb, initiative=initiative, payload=payload
    )
