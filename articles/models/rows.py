"""Model instances from the rows of hand-written queries (story_page.py).

from_row() and Selected make instances as the ORM's from_db() would, prefetched()
leaves a list where prefetch_related() would, and named()/numbered() write
the named parameters the queries use.
"""

from functools import lru_cache

from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init


def from_row(model, db, names, values):
    """model.from_db(db, names, values), without Model.__init__'s general case.

    __init__ sets each field through setattr, handling keyword arguments,
    defaults and deferred fields along the way; a story page makes a dozen
    instances, the story itself with some thirty fields. Here the values go
    into the instance's __dict__ at once. Fields not named stay deferred, as
    with from_db, and both signals are sent as __init__ sends them (ImageField
    fills in missing dimensions on post_init).
    """
    pre_init.send(sender=model, args=values, kwargs={})
    instance = model.__new__(model)
    instance._state = ModelState()
    instance._state.adding = False
    instance._state.db = db
    instance.__dict__.update(zip(names, values, strict=True))
    post_init.send(sender=model, instance=instance)
    return instance


class Selected:
    """One model's columns in a hand-written SELECT, and instances made from them."""

    def __init__(self, model, alias):
        self.model = model
        self.fields = model._meta.concrete_fields
        self.names = [field.attname for field in self.fields]
        self.columns = [f'{alias}."{field.column}"' for field in self.fields]

    def instance(self, values, connection):
        """The instance in values (this model's columns), None where a join found none."""
        if values[0] is None:
            return None
        values = list(values)
        for index, expression, converters in self.converters(connection):
            value = values[index]
            for convert in converters:
                value = convert(value, expression, connection)
            values[index] = value
        return from_row(self.model, connection.alias, self.names, values)

    @lru_cache(maxsize=16)  # noqa: B019  a few per connection, kept for the process
    def converters(self, connection):
        """What the ORM applies to each column that needs it: text to datetime
        on SQLite, say. (column index, expression, converters) for each."""
        found = []
        for index, field in enumerate(self.fields):
            expression = field.get_col(self.model._meta.db_table)
            converters = connection.ops.get_db_converters(
                expression
            ) + field.get_db_converters(connection)
            if converters:
                found.append((index, expression, converters))
        return found


# The queries name their parameters: %(name)s is understood by psycopg and,
# without the regular expression Django's SQLite backend runs over the whole
# text of a query with positional %s parameters, by SQLite.


def named(prefix, count):
    """Placeholders for count parameters: %(id0)s, %(id1)s, ..."""
    return ", ".join(f"%({prefix}{number})s" for number in range(count))


def numbered(prefix, values):
    """The parameters for named(prefix, len(values))."""
    return {f"{prefix}{number}": value for number, value in enumerate(values)}


def prefetched(instance, relation, model, objects):
    """Store objects where prefetch_related keeps a relation, so .all() reads them."""
    queryset = model._default_manager.get_queryset()
    queryset._result_cache = objects
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[relation] = queryset


class Rerun:
    """A query composed by the ORM once and run again with one moment changed.

    Composing even a one-row query through the ORM (cloning, filters, joins,
    compiling) costs several times what the database takes to run it; a loop
    of seeks that differ only in one bound composes each once. The queryset
    is built with the datetime `placeholder` where the changing moment goes;
    first() runs it with another moment there and returns the first value of
    its first row, converted as the ORM converts it (text to datetime on
    SQLite), or None.
    """

    def __init__(self, queryset, placeholder):
        self.compiler = queryset.query.get_compiler(queryset.db)
        self.connection = self.compiler.connection
        sql, params = self.compiler.as_sql()
        marked = self.connection.ops.adapt_datetimefield_value(placeholder)
        slots = [i for i, param in enumerate(params) if param == marked]
        if len(slots) != 1:
            raise ValueError(f"{placeholder!r} is not in the query once: {sql}")
        self.sql, self.params, self.slot = sql, list(params), slots[0]

    def first(self, value):
        self.params[self.slot] = self.connection.ops.adapt_datetimefield_value(value)
        with self.connection.cursor() as cursor:
            cursor.execute(self.sql, self.params)
            rows = cursor.fetchall()
        for row in self.compiler.results_iter(results=[rows]):
            return row[0]
        return None
