{{ config(materialized='table', post_hook=["{{ refresh_statistics() }}"]) }}

-- New persons' names and addresses in proper case, for the records we create
-- (a vendor writes them all in capitals or all in lower case). The rules are
-- rows of matching_proper_case_rules, joined in proper_case_rows. A table: as
-- a view inlined into mart_new_person_proposals, PostgreSQL planned its
-- word splits blind (1,000 rows a name) and took 8 minutes for 354 persons.
with

new_persons as (
    select * from {{ ref('int_matching__new_persons_raw') }}
),

given_names_cased as (
    {{ proper_case_rows('new_persons', 'proposal_id', ['first_name', 'middle_name'], 'given_name') }}
),

surnames_cased as (
    {{ proper_case_rows('new_persons', 'proposal_id', ['last_name'], 'surname') }}
),

addresses_cased as (
    {{ proper_case_rows('new_persons', 'proposal_id', ['street', 'city'], 'address') }}
),

final as (
    select
        p.proposal_id,
        g.first_name,
        g.middle_name,
        s.last_name,
        a.street,
        a.city
    from new_persons as p
    left join given_names_cased as g on p.proposal_id = g.proposal_id
    left join surnames_cased as s on p.proposal_id = s.proposal_id
    left join addresses_cased as a on p.proposal_id = a.proposal_id
)

select * from final
