from django.core.exceptions import ValidationError
from django.db.models import F

from ..conflicts import describe_change
from ..models import Versioned
from ..models.places import MAX_PLACE

# Beyond any real place (MAX_PLACE), and MAX_PLACE + PARKED is within smallint,
# so parked rows collide with none.
PARKED = 10_000


class BlankPlacesLast:
    """For an inline formset of numbered rows: rows left unnumbered go last.

    The model fills a blank place on save from what is stored, so two new rows
    in one save, one blank and one numbered, could take the same place; and a
    row moved to blank would be numbered after its own parked place. Here the
    blanks are numbered from the whole submitted formset instead, after every
    place it names and every stored row it doesn't hold, in the order shown.
    """

    place_field = None  # the model's place field: "order", "position"

    def clean(self):
        super().clean()
        if any(self.errors):
            return  # nothing is saved, so nothing needs a place
        saved = [
            form
            for form in self.forms
            if (form.instance.pk or form.has_changed())
            and not self._should_delete_form(form)
        ]
        taken = [form.cleaned_data[self.place_field] for form in saved]
        if self.instance.pk is not None:
            # Rows added by someone else since this page was opened.
            others = list(
                self.model._default_manager.filter(
                    **{self.fk.name: self.instance}
                ).exclude(pk__in=[form.instance.pk for form in self.initial_forms])
            )
            if self.refuse_places_taken_by(others, saved):
                return
            taken += [getattr(row, self.place_field) for row in others]
        place = max((p for p in taken if p is not None), default=0)
        blanks = [form for form in saved if form.cleaned_data[self.place_field] is None]
        if place + len(blanks) > MAX_PLACE:
            raise ValidationError(
                "There is no place left after %(max)s for the rows left unnumbered; "
                "number them yourself, from 1 to %(max)s.",
                code="no_place",
                params={"max": MAX_PLACE},
            )
        for form in blanks:
            place += 1
            form.cleaned_data[self.place_field] = place
            setattr(form.instance, self.place_field, place)

    def refuse_places_taken_by(self, others, saved):
        """Mark each row numbered into a place that a row added meanwhile holds.

        Django checks a unique (parent, place) only among the submitted rows,
        never against the stored ones: such a row hit the database's unique
        index, a server error. Returns whether any row was marked.
        """
        holders = {getattr(row, self.place_field): row for row in others}
        refused = False
        for form in saved:
            holder = holders.get(form.cleaned_data[self.place_field])
            if holder is None:
                continue
            who = describe_change(holder) if isinstance(holder, Versioned) else None
            form.add_error(
                self.place_field,
                f"Place {getattr(holder, self.place_field)} was taken by "
                f"{holder}, added by {who or 'someone else'} after you opened "
                "this page, so nothing was written. Choose a free place, or "
                "leave it empty to put this row last.",
            )
            refused = True
        return refused


def free_moved_places(formset, field):
    """Let editors renumber inline rows freely, swapping 1 and 2 included.

    The formset saves rows one at a time, so a swap would trip the unique
    (parent, place) index halfway; the moved rows are first shifted out of the
    way, inside the admin's transaction. So are the rows being deleted: the
    formset deletes each in its turn, so a row saved before it into its place
    met it there.
    """
    deleted = set(formset.deleted_forms)
    moved = [
        form.instance.pk
        for form in formset.forms
        if form.instance.pk and (field in form.changed_data or form in deleted)
    ]
    if moved:
        formset.model.objects.filter(pk__in=moved).update(**{field: F(field) + PARKED})


def free_changed_links(formset, fields):
    """free_moved_places() for link rows unique on several fields: a byline's
    (story, place) and (story, person).

    Swapping two authors' places, or the people in two places, would trip one
    unique index or the other halfway, and a person cannot be parked as a
    place can. So the stored rows the forms change on those fields, or
    delete, are deleted first, inside the admin's transaction; the formset
    then writes each changed one back under its own id (an UPDATE that finds
    no row inserts it).
    """
    deleted = set(formset.deleted_forms)
    changed = [
        form.instance.pk
        for form in formset.initial_forms
        if form.instance.pk
        and (form in deleted or any(field in form.changed_data for field in fields))
    ]
    if changed:
        formset.model.objects.filter(pk__in=changed).delete()
