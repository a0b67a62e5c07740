"""A stand-in for dbt's ``adapter.dispatch``, so sqlfluff's jinja templater can
render the models whose macros dispatch: it picks the macro dbt would pick on
Postgres (``postgres__<name>``, else ``default__<name>``) from the project's
macros that the templater loaded (``.sqlfluff``: ``load_macros_from_path``)."""

from jinja2 import pass_context


@pass_context
def dispatch(context, macro_name, macro_namespace=None):
    for name in (f"postgres__{macro_name}", f"default__{macro_name}"):
        macro = context.get(name)
        if macro is not None:
            return macro
    raise KeyError(f"no postgres__{macro_name} or default__{macro_name} macro")


def get_relation(database=None, schema=None, identifier=None):
    """No relation exists while linting."""
    return None
