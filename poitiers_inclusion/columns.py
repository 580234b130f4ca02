"""Integer columns read from PostgreSQL as numpy arrays, for the figures engines.

One binary COPY, parsed as fixed-size records: no Python object per value. Fetching a million
(séance, person) pairs as tuples costs about a second; this reads them in a few tens of ms.
"""

import io

import numpy as np
from django.db import connection

_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"


def int_columns(sql: str, params, names: list[str]) -> dict[str, np.ndarray]:
    """The rows of `sql` as one int64 array per column of `names`. Every column of the query
    must be a bigint that is never NULL (cast it: `x::int8`, `COALESCE(x, -1)::int8`)."""
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        query = cursor.mogrify(sql, params).decode()
        cursor.copy_expert(f"COPY ({query}) TO STDOUT (FORMAT binary)", buffer)
    raw = buffer.getbuffer()
    if bytes(raw[:11]) != _SIGNATURE:
        raise ValueError("Unexpected COPY header")
    # Header: signature, 4 bytes of flags, the length of an extension area, the area. Each row:
    # its field count (2 bytes), then each field's length (4 bytes) and value. Trailer: -1.
    start = 19 + int.from_bytes(bytes(raw[15:19]), "big")
    layout = [("count", ">i2")]
    for name in names:
        layout += [(f"{name}_length", ">i4"), (name, ">i8")]
    dtype = np.dtype(layout)
    rows, rest = divmod(len(raw) - start - 2, dtype.itemsize)
    if rest:
        raise ValueError("COPY rows are not bigint columns without NULL")
    records = np.frombuffer(raw, dtype=dtype, count=rows, offset=start)
    return {name: records[name].astype(np.int64) for name in names}
