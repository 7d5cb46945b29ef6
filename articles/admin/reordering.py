from django.db.models import F

PARKED = 10_000  # beyond any real position (and within smallint), so parked rows collide with none


def free_moved_places(formset, field):
    """Let editors renumber inline rows freely, swapping 1 and 2 included.

    The formset saves rows one at a time, so a swap would trip the unique
    (parent, place) index halfway; the moved rows are first shifted out of the
    way, inside the admin's transaction.
    """
    moved = [
        form.instance.pk
        for form in formset.forms
        if form.instance.pk and field in form.changed_data
    ]
    if moved:
        formset.model.objects.filter(pk__in=moved).update(**{field: F(field) + PARKED})
