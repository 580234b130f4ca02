"""Inserting many new records at once with a fraction of `bulk_create`'s Python work.

`bulk_create` compiles a placeholder and prepares a value through three or four method calls for
every field of every record: for the 100,000 activities of a Coop import, with their
accompagnements and audit events, that took longer than PostgreSQL's own work. `insert_new`
reads each value once (a field of a plain type goes as it is, any other through its own
`get_db_prep_save`) and lets psycopg2 quote the rows in C (execute_values), ids from RETURNING.

Same contract as `bulk_create` without options: new records of one model whose primary key is
an automatic id, no signals; the table's triggers fire as for any INSERT.
"""

from django.db import connection, models
from psycopg2.extras import execute_values

# Fields whose Python value psycopg2 sends as Django would (exact classes: a subclass may
# prepare its values).
PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.SmallIntegerField,
    models.BigIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.BooleanField,
    models.DateField,
    models.DateTimeField,
    models.ForeignKey,
    models.UUIDField,
)
BATCH = 2_000


def insert_new(objs: list[models.Model]) -> list[models.Model]:
    """Insert `objs` (new, all of one model) and give them their ids; returns them."""
    if not objs:
        return objs
    model = type(objs[0])
    meta = model._meta
    if not isinstance(meta.pk, models.AutoField | models.BigAutoField):
        raise ValueError(f"{meta.label} : clé primaire non automatique.")
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    stamped = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    prepared = [f for f in fields if type(f) not in PLAIN]
    placeholders = [
        f.get_placeholder(None, None, connection) if hasattr(f, "get_placeholder") else "%s"
        for f in fields
    ]
    template = f"({', '.join(placeholders)})"
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = (
        f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) VALUES %s "
        f"RETURNING {connection.ops.quote_name(meta.pk.column)}"
    )
    attnames = [f.attname for f in fields]
    prepared = [(attnames.index(f.attname), f) for f in prepared]
    for start in range(0, len(objs), BATCH):
        batch = objs[start : start + BATCH]
        rows = []
        for obj in batch:
            # As bulk_create: a related record saved after being assigned gives its id now.
            obj._prepare_related_fields_for_save(operation_name="insert_new")
            for field in stamped:
                field.pre_save(obj, add=True)
            values = obj.__dict__
            row = [values[name] for name in attnames]
            for index, field in prepared:
                row[index] = field.get_db_prep_save(row[index], connection)
            rows.append(row)
        with connection.cursor() as cursor:
            ids = execute_values(
                cursor.cursor, sql, rows, template=template, page_size=len(rows), fetch=True
            )
        for obj, (pk,) in zip(batch, ids, strict=True):
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = connection.alias
    return objs
