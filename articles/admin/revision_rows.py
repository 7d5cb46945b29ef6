"""History compare: the rows a revision holds (quotes, byline and agency places,
tag links), read from the revision rather than from the database as it is now.

reversion-compare asks the database which of a record's rows exist today and
looks those up in each revision. A row deleted since showed as "→ Deleted"
between two revisions that both held it, and the rows the revisions really
differed in (added, reordered) were left out.
"""

from django.template.loader import render_to_string
from reversion_compare.compare import CompareObjects


class RevisionRowsCompareMixin:
    """For a CompareVersionAdmin: its followed rows as each revision holds them."""

    def compare(self, obj, version1, version2):
        diff, has_unfollowed_fields = super().compare(obj, version1, version2)
        diff = [entry for entry in diff if not is_followed_rows(entry)]
        for relation in obj._meta.related_objects:
            if not relation.one_to_many or relation.name in self.compare_exclude:
                continue
            compared = CompareObjects(
                relation, relation.name, obj, version1, version2, True
            )
            if not compared.follow:
                continue
            change_info = compared.get_m2s_change_info(
                rows_held(version1, relation), rows_held(version2, relation)
            )
            if any(
                change_info[key]
                for key in ["changed_items", "removed_items", "added_items"]
            ):
                html = render_to_string(
                    "reversion-compare/compare_generic_many_to_many.html",
                    {"change_info": change_info},
                )
                diff.append(
                    {
                        "field": relation,
                        "is_related": True,
                        "follow": True,
                        "diff": html,
                    }
                )
        return diff, has_unfollowed_fields


def is_followed_rows(entry):
    return entry["follow"] and entry["field"].one_to_many


def rows_held(version, relation):
    """The rows of relation that version's revision holds for its object.

    In the shape reversion-compare's get_m2s_change_info() takes: each row's
    version by its id, and no rows missing from the revision or deleted.
    """
    link = relation.field
    held = {
        row.object_id: row
        for row in version.revision.version_set.get_for_model(link.model)
        if str(row.field_dict[link.attname]) == version.object_id
    }
    return held, {}, []
