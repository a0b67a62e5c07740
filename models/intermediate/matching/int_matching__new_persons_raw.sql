-- placeholder: replaced by the matching model
select
    cast(null as text) as proposal_id,
    cast(null as text) as first_name,
    cast(null as text) as middle_name,
    cast(null as text) as last_name,
    cast(null as text) as street,
    cast(null as text) as city
where 1 = 0
