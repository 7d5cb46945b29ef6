"""What a refused admin form sent, as text the user can copy.

Read from the POST without validating it: the forms here check the row's
version as they clean, and a refused save's own edits would come back as
someone else's changes.
"""

from django import forms
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import ValidationError
from django.utils.text import capfirst


def sent_sections(modeladmin, request, row):
    """(heading, fields) for the change form and each inline row, as sent_fields."""
    fieldsets = modeladmin.get_fieldsets(request, row)
    # change=False: for a user who may not change the row, Django's change
    # form has no fields at all. The fields are those the user could edit.
    form_class = modeladmin.get_form(
        request, row, change=False, fields=flatten_fieldsets(fieldsets)
    )
    form = form_class(request.POST, request.FILES, instance=row)
    yield capfirst(row._meta.verbose_name), sent_fields(form)
    for formset_class, inline in modeladmin.get_formsets_with_inlines(request, row):
        prefix = formset_class.get_default_prefix()
        formset = formset_class(
            **modeladmin.get_formset_kwargs(request, row, inline, prefix)
        )
        if not formset.management_form.is_valid():
            continue
        name = capfirst(formset.model._meta.verbose_name)
        for number, inline_form in enumerate(formset.forms, 1):
            if fields := sent_fields(inline_form):
                yield f"{name} {number}", fields


def sent_fields(form):
    """(label, text, rows) for each field of a bound form that was sent a value."""
    fields = []
    for field in form.visible_fields():
        if field.html_name not in form.data:
            continue
        if text := sent_text(field):
            # Tall enough to show a headline whole and most of a body.
            rows = min(20, text.count("\n") + 1 + len(text) // 80)
            fields.append((field.label, text, rows))
    return fields


def sent_text(field):
    """What a bound field was sent, as the user typed or chose it; not validated."""
    value = field.value()
    if isinstance(field.field, forms.ModelChoiceField):
        chosen = value if isinstance(value, list | tuple) else [value]
        chosen = [pk for pk in chosen if pk not in (None, "")]
        try:
            return ", ".join(map(str, field.field.queryset.filter(pk__in=chosen)))
        except (ValueError, ValidationError):
            return ", ".join(map(str, chosen))
    if isinstance(value, bool):
        return "Yes" if value else ""
    return "" if value is None else str(value)
