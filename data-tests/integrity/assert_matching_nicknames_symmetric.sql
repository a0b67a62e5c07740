-- What: pairs of seeds/matching/matching_nicknames.csv whose reverse pair is
-- missing (robert -> bob without bob -> robert).
-- When it matters: matching joins a given name to its variants in one
-- direction; a one-way pair finds Bob for Robert but not Robert for Bob.
-- How to resolve: add the reverse row (same source), or run
-- scripts/convert_nicknames.py, which writes every pair both ways. An error:
-- the seed is ours, not vendor data.
{{ config(severity='error') }}

with

nicknames as (

    select * from {{ ref('matching_nicknames') }}

)

select
    pairs.name,
    pairs.variant,
    pairs.source
from nicknames as pairs
left join nicknames as reverse_pairs
    on
        pairs.name = reverse_pairs.variant
        and pairs.variant = reverse_pairs.name
where reverse_pairs.name is null
