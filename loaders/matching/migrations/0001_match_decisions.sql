-- What a person decided about person matching, and the weights the
-- organisation estimated from its own data.
--
-- match_decisions: one row per decision. same_person: the record is that
-- person; new_person: the record is a person the organisation does not have
-- yet; persons_same: two of the organisation's persons are one (other_person_id
-- is the duplicate, person_id the one that stays). A record is decided once
-- and a pair of persons once (the unique indexes refuse a second decision, so
-- two reviewers never both decide a case). source is the decisions file's
-- name or 'review'.
--
-- match_weights: each estimate (`match estimate`, saved) as its own
-- estimate_id; the models use the newest estimate's levels, the seed's
-- defaults elsewhere.

create table if not exists ops.match_decisions (
    decision_id bigserial primary key,
    decision text not null check (decision in ('same_person', 'new_person', 'persons_same')),
    record_id text,
    person_id text,
    other_person_id text,
    reason text,
    decided_by text not null,
    decided_at timestamptz not null default now(),
    source text not null,
    check (decision <> 'same_person' or (record_id is not null and person_id is not null)),
    check (decision <> 'new_person' or (record_id is not null and person_id is null)),
    check (
        decision <> 'persons_same'
        or (record_id is null and person_id is not null and other_person_id is not null
            and person_id <> other_person_id)
    )
);

create unique index if not exists match_decisions_record
    on ops.match_decisions (record_id) where record_id is not null;

create unique index if not exists match_decisions_persons
    on ops.match_decisions (least(person_id, other_person_id), greatest(person_id, other_person_id))
    where decision = 'persons_same';

create table if not exists ops.match_weights (
    estimate_id bigint not null,
    comparison text not null,
    level text not null,
    m_probability double precision not null check (m_probability > 0 and m_probability <= 1),
    u_probability double precision not null check (u_probability > 0 and u_probability <= 1),
    estimated_at timestamptz not null default now(),
    estimated_by text not null,
    primary key (estimate_id, comparison, level)
);
