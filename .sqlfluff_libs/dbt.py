"""Stand-ins for dbt's cross-database macros (``dbt.concat`` and friends), so
sqlfluff's jinja templater can render the models that use them. They return
the Postgres SQL the real macros produce closely enough to parse; dbt itself
never reads this file (``.sqlfluff``: ``library_path``)."""


def type_string():
    return "text"


def type_int():
    return "integer"


def type_boolean():
    return "boolean"


def concat(fields):
    return " || ".join(fields)


def dateadd(datepart, interval, from_date_or_timestamp):
    return f"({from_date_or_timestamp} + interval '{interval} {datepart}')"


def datediff(first_date, second_date, datepart):
    return f"(cast({second_date} as date) - cast({first_date} as date))"


def current_timestamp():
    return "now()"


def type_numeric():
    return "numeric"


def type_bigint():
    return "bigint"


def hash(field):  # noqa: A001 - the name of dbt's macro
    return f"md5(cast({field} as text))"


def date_trunc(datepart, date):
    return f"date_trunc('{datepart}', {date})"


def length(expression):
    return f"length({expression})"


def listagg(measure, delimiter_text="','", order_by_clause=None, limit_num=None):
    return f"string_agg({measure}, {delimiter_text} {order_by_clause or ''})"


def type_float():
    return "float"


def right(string_text, length_expression):
    return f"right({string_text}, {length_expression})"


def split_part(string_text, delimiter_text, part_number):
    return f"split_part({string_text}, {delimiter_text}, {part_number})"


def generate_series(upper_bound):
    return f"select generate_series(1, {upper_bound}) as generated_number"


def position(substring_text, string_text):
    return f"position({substring_text} in {string_text})"


def type_timestamp():
    return "timestamp"
