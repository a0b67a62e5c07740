-- Given-name variants both ways round (seeds/matching/matching_nicknames.csv
-- lists a pair once): Bob is Robert and Robert is Bob. Names normalised like
-- the records' first names.
with

nicknames as (

    select * from {{ ref('matching_nicknames') }}

),

both_ways as (

    select
        {{ matching_name_key('name') }} as name_key,
        {{ matching_name_key('variant') }} as variant_key
    from nicknames
    union
    select
        {{ matching_name_key('variant') }} as name_key,
        {{ matching_name_key('name') }} as variant_key
    from nicknames

),

final as (

    select distinct
        name_key,
        variant_key
    from both_ways
    where
        name_key is not null
        and variant_key is not null
        and name_key <> variant_key

)

select * from final
