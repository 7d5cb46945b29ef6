"""History compare: the rows a revision holds (quotes, byline and agency places,
tag links), read from the revision rather than from the database as it is now.

reversion-compare asks the database which of a record's rows exist today and
looks those up in each revision. A row deleted since showed as "→ Deleted"
between two revisions that both held it, and the rows the revisions really
differed in (added, reordered) were left out.
"""

from django.template.loader import render_to_string
from reversion_compare.compare import CompareObjects

from ..models import history


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
            change_info = rows_change_info(compared, relation, version1, version2)
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


def rows_change_info(compared, relation, version1, version2):
    """reversion-compare's change info for relation's rows in the two revisions.

    A row that differs in the desk's bookkeeping alone is the same row to the
    reader of the diff: a restore moves its quotes' versions on, and nothing
    else about them.
    """
    change_info = compared.get_m2s_change_info(
        rows_held(version1, relation), rows_held(version2, relation)
    )
    changed = change_info["changed_items"]
    change_info["changed_items"] = [
        pair for pair in changed if not differ_only_in_bookkeeping(*pair)
    ]
    change_info["same_items"] += [
        second for first, second in changed if differ_only_in_bookkeeping(first, second)
    ]
    return change_info


def differ_only_in_bookkeeping(first, second):
    """Whether two versions of a row differ in the desk's bookkeeping alone."""

    def words(version):
        fields = version.field_dict
        return {k: v for k, v in fields.items() if k not in history.BOOKKEEPING}

    return words(first) == words(second)


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
