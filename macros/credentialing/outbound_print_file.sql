{#- The rows of the next print-house file of one kind (outbound_print_*): the rows
    of mart_print_queue of that kind that no print file holds yet, read from the
    print record as it is now (the models are views), so a second export right
    after the first prints nobody twice. -#}
{% macro outbound_print_file(print_kind) %}

with queue as (

    select * from {{ ref('mart_print_queue') }}
    where print_kind = '{{ print_kind }}'

),

printed as (

    select distinct application_id
    from {{ ref('stg_ops__print_export_items') }}
    where print_kind = '{{ print_kind }}'

),

final as (

    select
        queue.application_id,
        queue.certificate_number,
        queue.full_name,
        queue.exam_code,
        queue.pass_date
    from queue
    where not exists (
        select 1 from printed
        where printed.application_id = queue.application_id
    )

)

select * from final

{% endmacro %}
