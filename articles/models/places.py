from django.db.models import Max


def next_place(siblings, field):
    """The number after the highest `field` among siblings: where a new row goes."""
    return (siblings.aggregate(highest=Max(field))["highest"] or 0) + 1
