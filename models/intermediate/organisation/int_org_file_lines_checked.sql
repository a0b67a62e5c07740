-- Every problem with a landed line of the organisation's own files (persons,
-- person_ids, applications, admissions_checklist, admission_test_indicators,
-- terms): one row per file, line, field and problem. The rules, once:
-- a line that is not CSV; a required value missing; a date that is not a
-- real day (a birth date after today too); a code not in org_known_codes; an
-- id repeated in one file with different content; a reference to a person
-- no persons file names, or to an entry term no terms file names.
-- A file whose header lacks a required column never lands (landing
-- quarantines it: is_required in seeds/layouts/layout_columns.csv).
{%- set formats = {
    'persons': {
        'key': ['person_id'],
        'required': ['person_id', 'last_name', 'first_name'],
        'dates': ['birth_date'],
        'past_dates': ['birth_date'],
        'columns': ['person_id', 'last_name', 'first_name', 'middle_name', 'birth_date', 'email',
                    'ssn', 'gender', 'street1', 'street2', 'city', 'state', 'zip', 'country'],
    },
    'person_ids': {
        'key': ['person_id', 'id_type'],
        'required': ['person_id', 'id_type', 'id_value'],
        'dates': [],
        'past_dates': [],
        'columns': ['person_id', 'id_type', 'id_value'],
    },
    'applications': {
        'key': ['application_id'],
        'required': ['application_id', 'person_id', 'exam_code', 'status'],
        'dates': ['submitted_at', 'eligibility_start', 'eligibility_end'],
        'past_dates': [],
        'columns': ['application_id', 'person_id', 'exam_code', 'submitted_at', 'status',
                    'eligibility_start', 'eligibility_end', 'accommodations'],
    },
    'admissions_checklist': {
        'key': ['person_id', 'entry_term', 'item_code'],
        'required': ['person_id', 'entry_term', 'item_code'],
        'dates': ['received_date', 'first_requested_date', 'last_requested_date'],
        'past_dates': [],
        'columns': ['person_id', 'entry_term', 'item_code', 'received_date',
                    'first_requested_date', 'last_requested_date'],
    },
    'admission_test_indicators': {
        'key': ['person_id', 'indicator'],
        'required': ['person_id', 'indicator', 'test_letter'],
        'dates': [],
        'past_dates': [],
        'columns': ['person_id', 'indicator', 'test_letter'],
    },
    'terms': {
        'key': ['term_code'],
        'required': ['term_code', 'start_date', 'end_date'],
        'dates': ['start_date', 'end_date'],
        'past_dates': [],
        'columns': ['term_code', 'start_date', 'end_date'],
    },
} %}
{%- set codes = [
    ('applications', 'status'), ('person_ids', 'id_type'),
    ('admission_test_indicators', 'indicator'), ('admission_test_indicators', 'test_letter'),
] %}

with

{% for format_name in formats %}
    {{ format_name }} as (

        select * from {{ ref('stg_organisation__' ~ format_name ~ '_lines') }}

    ),
{% endfor %}

known_codes as (

    select
        format_name,
        field,
        lower(replace(replace(code, '-', ''), ' ', '')) as code_key
    from {{ ref('org_known_codes') }}

),

code_lists as (

    select
        format_name,
        field,
        {{ dbt.listagg('code', "', '", 'order by code') }} as codes
    from {{ ref('org_known_codes') }}
    group by format_name, field

),

known_persons as (

    select distinct person_id from persons
    where person_id is not null and parse_error is null

),

known_terms as (

    select distinct upper(term_code) as term_code from terms
    where term_code is not null and parse_error is null

),

unparsed as (
    {%- for format_name in formats %}
        {%- if not loop.first %}

            union all
        {%- endif %}

        select
            '{{ format_name }}' as format_name,
            file_id,
            line_number,
            cast(null as text) as field,
            raw_record as field_value,
            parse_error as reason
        from {{ format_name }}
        where parse_error is not null
    {%- endfor %}

),

missing as (
    {%- set ns = namespace(first=true) %}
    {%- for format_name, spec in formats.items() %}
        {%- for column in spec.required %}
            {%- if not ns.first %}

                union all
            {%- endif %}
            {%- set ns.first = false %}

            select
                '{{ format_name }}' as format_name,
                file_id,
                line_number,
                '{{ column }}' as field,
                cast(null as text) as field_value,
                'missing {{ column }}' as reason
            from {{ format_name }}
            where
                parse_error is null
                and {{ column }} is null
        {%- endfor %}
    {%- endfor %}

),

bad_dates as (
    {%- set ns = namespace(first=true) %}
    {%- for format_name, spec in formats.items() %}
        {%- for column in spec.dates %}
            {%- if not ns.first %}

                union all
            {%- endif %}
            {%- set ns.first = false %}

            select
                '{{ format_name }}' as format_name,
                file_id,
                line_number,
                '{{ column }}' as field,
                {{ column }} as field_value,
                case
                    when {{ parse_date(column) }} is null
                        then 'not a real date in the form YYYY-MM-DD or MM/DD/YYYY'
                    {%- if column in spec.past_dates %}
                        when {{ parse_date(column) }} > current_date
                            then '{{ column | replace("_", " ") }} in the future'
                    {%- endif %}
                end as reason
            from {{ format_name }}
            where
                parse_error is null
                and {{ column }} is not null
        {%- endfor %}
    {%- endfor %}

),

unknown_codes as (
    {%- for format_name, column in codes %}
        {%- if not loop.first %}

            union all
        {%- endif %}

        select
            '{{ format_name }}' as format_name,
            l.file_id,
            l.line_number,
            '{{ column }}' as field,
            l.{{ column }} as field_value,
            'unknown {{ column | replace("_", " ") }} (expected ' || c.codes || ')' as reason
        from {{ format_name }} as l
        inner join code_lists as c
            on
                c.format_name = '{{ format_name }}'
                and c.field = '{{ column }}'
        where
            l.parse_error is null
            and l.{{ column }} is not null
            and not exists (
                select 1 from known_codes as k
                where
                    k.format_name = '{{ format_name }}'
                    and k.field = '{{ column }}'
                    and k.code_key = lower(replace(replace(l.{{ column }}, '-', ''), ' ', ''))
            )
    {%- endfor %}

),

-- Each line's key and a hash of its whole content: the same key twice in one
-- file is fine when the lines are the same, an error when they differ.
{%- for format_name, spec in formats.items() %}

    {{ format_name }}_versions as (

        select
            file_id,
            line_number,
            {{ spec.key | join(" || '|' || ") }} as key_value,
            md5(
                {%- for column in spec.columns %}
                    coalesce({{ column }}, '') {{- " || '|' ||" if not loop.last }}
                {%- endfor %}
            ) as content_hash
        from {{ format_name }}
        where
            parse_error is null
            {%- for column in spec.key %}
                and {{ column }} is not null
            {%- endfor %}

    ),

    {{ format_name }}_repeats as (

        select
            file_id,
            key_value,
            min(line_number) as first_line
        from {{ format_name }}_versions
        group by file_id, key_value
        having count(distinct content_hash) > 1

    ),
{%- endfor %}

repeated as (
    {%- for format_name, spec in formats.items() %}
        {%- if not loop.first %}

            union all
        {%- endif %}

        select
            '{{ format_name }}' as format_name,
            v.file_id,
            v.line_number,
            '{{ spec.key | join(", ") }}' as field,
            v.key_value as field_value,
            '{{ spec.key | join(", ") }} repeated in the file with different content '
            || '(first at line ' || cast(g.first_line as text) || ')' as reason
        from {{ format_name }}_versions as v
        inner join {{ format_name }}_repeats as g
            on
                v.file_id = g.file_id
                and v.key_value = g.key_value
    {%- endfor %}

),

unknown_references as (

    {%- for format_name in ['applications', 'person_ids'] %}
        select
            '{{ format_name }}' as format_name,
            l.file_id,
            l.line_number,
            'person_id' as field,
            l.person_id as field_value,
            'unknown person (in no persons file)' as reason
        from {{ format_name }} as l
        where
            l.parse_error is null
            and l.person_id is not null
            and l.person_id not in (select p.person_id from known_persons as p)

        union all
    {%- endfor %}

    select
        'admissions_checklist' as format_name,
        l.file_id,
        l.line_number,
        'entry_term' as field,
        l.entry_term as field_value,
        'entry term missing from terms' as reason
    from admissions_checklist as l
    where
        l.parse_error is null
        and l.entry_term is not null
        and upper(l.entry_term) not in (select t.term_code from known_terms as t)

),

final as (

    select * from unparsed
    union all
    select * from missing
    union all
    select * from bad_dates
    where reason is not null
    union all
    select * from unknown_codes
    union all
    select * from repeated
    union all
    select * from unknown_references

)

select * from final
