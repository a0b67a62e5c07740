"""Stand-in for dbt's ``adapter`` object, for sqlfluff's jinja templater only:
``adapter.dispatch(name)`` gives a macro that renders as a call of a function
of that name without arguments (its arguments may be patterns, not SQL),
enough for the linter to parse the model around it."""


def dispatch(macro_name, macro_namespace=None):
    def render(*args):
        return f"{macro_name}()"

    return render
