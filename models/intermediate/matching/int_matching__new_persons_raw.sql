-- One row per new-person proposal: the newest record's names and address as
-- the vendor wrote them (before proper case, int_matching__new_persons_cased).
with

new_records as (

    select * from {{ ref('int_matching__new_records') }}
    where newest_first = 1

),

final as (

    select
        proposal_id,
        first_name,
        middle_name,
        last_name,
        street,
        city
    from new_records

)

select * from final
