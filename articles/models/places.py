from django.core.validators import MaxValueValidator
from django.db.models import Max

# The highest place a quote or an agency may take. Renumbering parks moved rows
# at +10,000 (admin/reordering.py), so parked rows never meet real ones, and
# stay within PostgreSQL's smallint (PhotoCreditAgency.position).
MAX_PLACE = 999
place_limit = MaxValueValidator(MAX_PLACE)


def next_place(siblings, field):
    """The number after the highest `field` among siblings: where a new row goes."""
    return (siblings.aggregate(highest=Max(field))["highest"] or 0) + 1
