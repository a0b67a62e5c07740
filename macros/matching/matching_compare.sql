{% macro matching_compare_ctes(paired, one_edit_names) -%}
    {#- The CTEs that compare pairs, ending in `compared`: one row per pair of
        `paired` (a relation or CTE with record_id, person_id, rules,
        is_known_id, r_first, r_last, p_first, p_last) with each comparison's
        level (seeds/matching/matching_comparison_levels.csv) and the names'
        frequencies. Records, persons and the lookups are read from their
        tables directly (not through CTEs) so PostgreSQL plans the joins with
        their statistics. Used by int_matching__pair_comparisons (the
        candidates) and int_matching__weight_estimates (labelled and random
        pairs), so both compare exactly alike. one_edit_names: a relation or
        CTE of the names one edit apart (name_a, name_b) for these pairs
        (int_matching__one_edit_names, or matching_one_edit_ctes). -#}

compared as (

    select
        pa.record_id,
        pa.person_id,
        pa.rules,
        pa.is_known_id,
        case
            when r.first_key is null or p.first_key is null then 'missing'
            when r.first_key = p.first_key then 'exact'
            when r.first_key = p.last_key and r.last_key = p.first_key then 'swapped'
            when nick.name_key is not null then 'nickname'
            when first_edit.name_a is not null then 'one_edit'
            when
                ({{ dbt.length('r.first_key') }} = 1 or {{ dbt.length('p.first_key') }} = 1)
                and r.first_initial = p.first_initial
                then 'initial'
            else 'different'
        end as first_name_level,
        case
            when r.last_key is null or p.last_key is null then 'missing'
            when r.last_key = p.last_key then 'exact'
            when r.first_key = p.last_key and r.last_key = p.first_key then 'swapped'
            when
                r.last_key in (p.last_part_first, p.last_part_last)
                or p.last_key in (r.last_part_first, r.last_part_last)
                then 'double_surname_part'
            when last_edit.name_a is not null then 'one_edit'
            else 'different'
        end as last_name_level,
        case
            when r.birth_text is null or p.birth_text is null then 'missing'
            when r.birth_text = p.birth_text then 'exact'
            when
                substr(r.birth_text, 1, 4) = substr(p.birth_text, 1, 4)
                and substr(r.birth_text, 5, 2) = substr(p.birth_text, 7, 2)
                and substr(r.birth_text, 7, 2) = substr(p.birth_text, 5, 2)
                then 'day_month_swapped'
            when (
                case when substr(r.birth_text, 1, 1) = substr(p.birth_text, 1, 1) then 0 else 1 end +
                case when substr(r.birth_text, 2, 1) = substr(p.birth_text, 2, 1) then 0 else 1 end +
                case when substr(r.birth_text, 3, 1) = substr(p.birth_text, 3, 1) then 0 else 1 end +
                case when substr(r.birth_text, 4, 1) = substr(p.birth_text, 4, 1) then 0 else 1 end +
                case when substr(r.birth_text, 5, 1) = substr(p.birth_text, 5, 1) then 0 else 1 end +
                case when substr(r.birth_text, 6, 1) = substr(p.birth_text, 6, 1) then 0 else 1 end +
                case when substr(r.birth_text, 7, 1) = substr(p.birth_text, 7, 1) then 0 else 1 end +
                case when substr(r.birth_text, 8, 1) = substr(p.birth_text, 8, 1) then 0 else 1 end
            ) = 1 then 'one_digit_off'
            else 'different'
        end as birth_date_level,
        case
            when r.ssn_key is null or p.ssn_key is null then 'missing'
            when r.ssn_key = p.ssn_key then 'exact'
            else 'different'
        end as ssn_level,
        case
            when r.email_key is null or p.email_key is null then 'missing'
            when r.email_key = p.email_key then 'exact'
            else 'different'
        end as email_level,
        case
            when r.zip5 is null or p.zip5 is null then 'missing'
            when r.zip5 = p.zip5 and r.street_key = p.street_key then 'street_and_zip'
            when r.zip5 = p.zip5 then 'zip'
            else 'different'
        end as address_level,
        case
            when r.gender_key is null or p.gender_key is null then 'missing'
            when r.gender_key = p.gender_key then 'exact'
            else 'different'
        end as gender_level,
        case
            when pa.is_known_id = 1 then 'same'
            when pit.person_id is not null then 'different'
            else 'missing'
        end as vendor_id_level,
        first_tf.frequency as first_name_frequency,
        last_tf.frequency as last_name_frequency
    from {{ paired }} as pa
    inner join {{ ref('int_matching__records') }} as r
        on pa.record_id = r.record_id
    inner join {{ ref('int_matching__persons') }} as p
        on pa.person_id = p.person_id
    left join {{ ref('int_matching__nicknames') }} as nick
        on
            r.first_key = nick.name_key
            and p.first_key = nick.variant_key
    left join {{ one_edit_names }} as first_edit
        on
            r.first_key = first_edit.name_a
            and p.first_key = first_edit.name_b
    left join {{ one_edit_names }} as last_edit
        on
            r.last_key = last_edit.name_a
            and p.last_key = last_edit.name_b
    left join {{ ref('int_matching__person_id_types') }} as pit
        on
            pa.person_id = pit.person_id
            and r.id_type = pit.id_type
    left join {{ ref('int_matching__name_frequencies') }} as first_tf
        on
            first_tf.comparison = 'first_name'
            and p.first_key = first_tf.name_key
    left join {{ ref('int_matching__name_frequencies') }} as last_tf
        on
            last_tf.comparison = 'last_name'
            and p.last_key = last_tf.name_key

)
{%- endmacro %}

{% macro matching_one_edit_ctes(paired) -%}
    {#- The CTEs ending in `one_edit_pairs` (name_a, name_b): the first names
        and the surnames of `paired` (r_first/p_first, r_last/p_last) that
        are one edit apart. -#}
-- One edit apart: a letter added, dropped or changed, or two neighbours
-- swapped. Found by equality joins on the deletion variants of
-- the names the pairs hold, so no edit distance is computed pairwise. Names
-- whose lengths differ by more than one letter cannot be one edit apart and
-- are left out first.
name_pairs as (

    select distinct
        r_first as name_a,
        p_first as name_b
    from {{ paired }}
    where
        r_first <> p_first
        and {{ dbt.length('r_first') }} - {{ dbt.length('p_first') }} between -1 and 1
    union
    select distinct
        r_last as name_a,
        p_last as name_b
    from {{ paired }}
    where
        r_last <> p_last
        and {{ dbt.length('r_last') }} - {{ dbt.length('p_last') }} between -1 and 1

),

names as (

    select name_a as name_key from name_pairs
    union
    select name_b as name_key from name_pairs

),

series as (

    {{ dbt.generate_series(40) }}

),

positions as (

    select cast(generated_number as {{ dbt.type_int() }}) as generated_number from series

),

variants as (

    select
        n.name_key,
        n.name_key as variant,
        0 as deleted_at,
        '' as deleted
    from names as n
    union all
    select
        n.name_key,
        substr(n.name_key, 1, s.generated_number - 1)
        || substr(n.name_key, s.generated_number + 1) as variant,
        s.generated_number as deleted_at,
        substr(n.name_key, s.generated_number, 1) as deleted
    from names as n
    inner join positions as s
        on s.generated_number <= {{ dbt.length('n.name_key') }}
    where {{ dbt.length('n.name_key') }} >= 3

),

-- A shared variant is one edit only when the deletions say so: one side
-- whole (a letter added or dropped), the same place (a letter changed), or
-- neighbouring places deleting the same letter (two letters swapped).
-- Deleting at other places finds two edits (Daria and Arina share "aria"):
-- those are not one edit apart.
one_edit_pairs as (

    select distinct
        np.name_a,
        np.name_b
    from name_pairs as np
    inner join variants as va
        on np.name_a = va.name_key
    inner join variants as vb
        on
            np.name_b = vb.name_key
            and va.variant = vb.variant
    where
        va.deleted_at = 0
        or vb.deleted_at = 0
        or va.deleted_at = vb.deleted_at
        or (abs(va.deleted_at - vb.deleted_at) = 1 and va.deleted = vb.deleted)

)
{%- endmacro %}
