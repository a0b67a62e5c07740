-- What a person decided about a problem the models found (an anomaly, an
-- error row, a quarantined file): handled, with a note, by whom and when.
-- One row per problem: a problem is decided once (a second decision is
-- refused by the unique key, so two reviewers never both decide it).
-- chosen_result_id is set only for a conflicting_results anomaly: the result
-- that stands; the models then send that decision (and only then).
-- recorded_from says how it came: 'cli' (the handle verb), the name of a
-- decisions file loaded with `load problem_decisions`, or 'review' (the page).

create table if not exists ops.problem_handling (
    handling_id bigserial primary key,
    problem_id text not null unique,
    problem_kind text not null,
    note text not null,
    chosen_result_id text,
    handled_by text not null,
    handled_at timestamptz not null default now(),
    recorded_from text not null
);
