-- People whose test scores are still wanted: a TSTS checklist item with no
-- received date, for an entry term at or after the current term (the term in
-- progress, else the next one). Request dates are the checklist's and our own
-- (ops.score_request_history) together; is_due applies the window of
-- var('score_request_days') days as of the build. outbound_score_requests
-- recombines the checklist's dates with our history as it is when export
-- requests runs, which applies its --days there.

with checklist as (

    select * from {{ ref('stg_requests__checklist') }}
    where item_code = 'TSTS' and received_date is null

),

terms as (

    select * from {{ ref('stg_requests__terms') }}
    where start_date is not null and end_date is not null

),

current_term as (

    select start_date
    from terms
    where end_date >= current_date
    order by 1
    limit 1

),

history as (

    select * from {{ ref('int_requests__history_summarised') }}

),

outstanding as (

    select
        checklist.person_id,
        checklist.entry_term,
        checklist.item_code,
        terms.start_date as entry_term_start,
        checklist.first_requested_date as checklist_first_requested_date,
        checklist.last_requested_date as checklist_last_requested_date,
        {{ earliest('checklist.first_requested_date', 'history.first_requested_on') }}
            as first_requested_date,
        {{ latest('checklist.last_requested_date', 'history.last_requested_on') }}
            as last_requested_date
    from checklist
    inner join terms
        on checklist.entry_term = terms.term_code
    cross join current_term
    left join history
        on
            checklist.person_id = history.person_id
            and checklist.entry_term = history.entry_term
            and checklist.item_code = history.item_code
    where terms.start_date >= current_term.start_date

)

select
    person_id,
    entry_term,
    item_code,
    entry_term_start,
    checklist_first_requested_date,
    checklist_last_requested_date,
    first_requested_date,
    last_requested_date,
    coalesce(
        {{ dbt.datediff('last_requested_date', 'current_date', 'day') }}
        > {{ var('score_request_days', 3) }},
        true
    ) as is_due
from outstanding
