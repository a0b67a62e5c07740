-- Matching: what a person decided about an incoming record the matching
-- models could not place, and the m/u probabilities an estimate saved.
--
-- ops.match_decisions: one row per decision. same_person says the record
-- (raw '<file_id>:<line_number>') is that person; new_person says it is
-- nobody we know; persons_same says two of the organisation's persons are one.
-- A record is decided once, and a pair of persons once (either order), so two
-- reviewers never both decide the same case: the second insert is refused by
-- the unique indexes. source is the decisions file's name, or 'review' (the
-- `match review` verb). The models read it through stg_ops__match_decisions.
--
-- ops.match_weights: the m and u probability of each comparison level, one
-- set per estimate (`match estimate`); the models use the newest estimate's
-- rows, else the seed's defaults.

create table if not exists ops.match_decisions (
    decision_id bigserial primary key,
    decision text not null
        check (decision in ('same_person', 'new_person', 'persons_same')),
    record_id text,
    person_id text,
    other_person_id text,
    reason text,
    decided_by text not null,
    decided_at timestamptz not null default now(),
    source text not null,
    constraint match_decisions_same_person check (
        decision <> 'same_person'
        or (record_id is not null and person_id is not null and other_person_id is null)
    ),
    constraint match_decisions_new_person check (
        decision <> 'new_person'
        or (record_id is not null and person_id is null and other_person_id is null)
    ),
    constraint match_decisions_persons_same check (
        decision <> 'persons_same'
        or (record_id is null and person_id is not null and other_person_id is not null
            and person_id <> other_person_id)
    )
);

create unique index if not exists match_decisions_record
    on ops.match_decisions (record_id) where record_id is not null;

create unique index if not exists match_decisions_persons_pair
    on ops.match_decisions (least(person_id, other_person_id),
                            greatest(person_id, other_person_id))
    where decision = 'persons_same';

create table if not exists ops.match_weights (
    estimate_id bigint not null,
    comparison text not null,
    level text not null,
    m_probability double precision not null
        check (m_probability > 0 and m_probability <= 1),
    u_probability double precision not null
        check (u_probability > 0 and u_probability <= 1),
    estimated_at timestamptz not null default now(),
    estimated_by text not null,
    primary key (estimate_id, comparison, level)
);
