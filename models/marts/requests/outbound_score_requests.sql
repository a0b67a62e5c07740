{{ config(materialized='view') }}

-- The rows of the score-request file and of the checklist update file (the
-- same rows under two headers): everyone mart_score_requests_due lists, with
-- first and last request dates from the checklist and from our own history
-- as it is now. A view, so a request recorded a second ago counts: a second
-- export the same day asks nobody again. export requests keeps the rows
-- whose days_since_last_request is null or above its --days.

with due as (

    select * from {{ ref('mart_score_requests_due') }}

),

history as (

    select * from {{ ref('int_requests__history_summarised') }}

),

requests as (

    select
        due.person_id,
        due.entry_term,
        due.item_code,
        {{ earliest('due.checklist_first_requested_date', 'history.first_requested_on') }}
            as first_requested_date,
        {{ latest('due.checklist_last_requested_date', 'history.last_requested_on') }}
            as last_requested_date
    from due
    left join history
        on
            due.person_id = history.person_id
            and due.entry_term = history.entry_term
            and due.item_code = history.item_code

),

final as (

    select
        person_id,
        entry_term,
        item_code,
        first_requested_date,
        last_requested_date,
        {{ dbt.datediff('last_requested_date', 'current_date', 'day') }}
            as days_since_last_request
    from requests

)

select * from final
