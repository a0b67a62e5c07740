-- Each comparison level's m and u probabilities and its weight, log2(m / u):
-- how much more often a true match than a random pair lands on this level.
-- The shipped defaults are seeds/matching/matching_comparison_levels.csv; a
-- level the organisation re-estimated and saved (`python cli.py match
-- estimate`, ops.match_weights) uses the newest estimate instead.
with

levels as (

    select * from {{ ref('matching_comparison_levels') }}

),

estimated as (

    select * from {{ ref('stg_ops__match_weights') }}

),

chosen as (

    select
        l.comparison,
        l.level,
        l.level_order,
        l.agreement,
        l.term_frequency as is_term_frequency_adjusted,
        l.m_probability as default_m_probability,
        l.u_probability as default_u_probability,
        coalesce(e.m_probability, l.m_probability) as m_probability,
        coalesce(e.u_probability, l.u_probability) as u_probability,
        case
            when e.estimate_id is not null
                then 'estimate ' || cast(e.estimate_id as {{ dbt.type_string() }})
            else 'seed'
        end as weights_from
    from levels as l
    left join estimated as e
        on
            l.comparison = e.comparison
            and l.level = e.level

),

final as (

    select
        *,
        ln(m_probability / u_probability) / ln(2) as weight
    from chosen

)

select * from final
