-- W1 (/work/shared/bench/w1-model.yaml, bench/README.md) hand-translated to DuckDB SQL: the peer
-- that `leadscore score` is measured against. Placeholders, substituted by w1.mjs: {leads}
-- (CSV), {events_table} (the events file read by read_json for JSON Lines, by read_csv for
-- CSV, every column as text), {as_of} (ISO-8601), {output} (CSV written here).
--
-- Semantics follow SCORING.md: events deduplicated by non-empty event_id keeping the first in
-- file order (before the as-of cut); only events with ts <= as-of count; a rule's total is
-- SUM(points * 2^(-age / half_life)) capped per rule; `burst` counts page views younger than 7
-- days without decay; `unsubscribe` does not decay; a null attribute makes a condition not hold;
-- fit, engagement and score are clamped to [0, 100]; leads known only from events are listed
-- with null attributes (score 0 when all their events are after the as-of time); values are
-- rounded half away from zero to 2 decimals only when printed; rows sorted by unrounded score
-- descending, then lead_id.

COPY (
  WITH
  lead_rows AS (
    SELECT ordinality AS ord, *
    FROM read_csv('{leads}', header = true, all_varchar = true) WITH ORDINALITY
  ),
  leads AS (  -- the first row of each lead_id counts; declared numbers that do not parse are null
    SELECT
      lead_id,
      email,
      TRY_CAST(company_size AS DOUBLE) AS company_size,
      industry,
      country,
      job_title,
      TRY_CAST(budget AS DOUBLE) AS budget
    FROM lead_rows
    WHERE lead_id IS NOT NULL AND lead_id <> ''
    QUALIFY row_number() OVER (PARTITION BY lead_id ORDER BY ord) = 1
  ),
  event_rows AS (
    SELECT ordinality AS ord, event_id, lead_id, type, TRY_CAST(ts AS TIMESTAMPTZ) AS ts, url
    FROM {events_table} WITH ORDINALITY
  ),
  good_events AS (  -- rows without lead_id, type or a readable ts are skipped
    SELECT * FROM event_rows
    WHERE lead_id IS NOT NULL AND lead_id <> '' AND type IS NOT NULL AND type <> ''
      AND ts IS NOT NULL
  ),
  events AS (  -- the first of each non-empty event_id counts, before the as-of cut
    SELECT lead_id, type, url,
           epoch(TIMESTAMPTZ '{as_of}') - epoch(ts) AS age  -- seconds; negative: after as-of
    FROM good_events
    QUALIFY event_id IS NULL OR event_id = ''
         OR row_number() OVER (PARTITION BY event_id ORDER BY ord) = 1
  ),
  engagement_rules AS (  -- one row per lead seen in events, whatever their time
    SELECT
      lead_id,
      LEAST(COALESCE(SUM(2 * pow(2, -age / 2592000))
                     FILTER (WHERE age >= 0 AND type = 'page_view'), 0), 20) AS page_view,
      LEAST(COALESCE(SUM(10 * pow(2, -age / 2592000))
                     FILTER (WHERE age >= 0 AND type = 'page_view'
                             AND contains(url, '/pricing')), 0), 30) AS pricing,
      LEAST(COALESCE(SUM(5 * pow(2, -age / 2592000))
                     FILTER (WHERE age >= 0 AND type = 'page_view'
                             AND starts_with(url, '/customers/')), 0), 15) AS case_study,
      GREATEST(COALESCE(SUM(-5 * pow(2, -age / 2592000))
                        FILTER (WHERE age >= 0 AND type = 'page_view'
                                AND contains(url, '/careers')), 0), -10) AS careers,
      LEAST(COALESCE(SUM(3 * pow(2, -age / 2592000))
                     FILTER (WHERE age >= 0 AND type = 'email_open'), 0), 15) AS email_open,
      LEAST(COALESCE(SUM(6 * pow(2, -age / 2592000))
                     FILTER (WHERE age >= 0 AND type = 'email_click'), 0), 24) AS email_click,
      LEAST(COALESCE(SUM(5 * pow(2, -age / 2592000))
                     FILTER (WHERE age >= 0 AND type = 'download'), 0), 15) AS whitepaper,
      COALESCE(SUM(15 * pow(2, -age / 2592000))
               FILTER (WHERE age >= 0 AND type = 'webinar_attended'), 0) AS webinar,
      COALESCE(SUM(20 * pow(2, -age / 2592000))
               FILTER (WHERE age >= 0 AND type = 'demo_booked'), 0) AS demo,
      COALESCE(SUM(50 * pow(2, -age / 2592000))
               FILTER (WHERE age >= 0 AND type = 'quote_request'), 0) AS quote,
      -30 * COUNT(*) FILTER (WHERE age >= 0 AND type = 'unsubscribe') AS unsubscribe,
      CASE WHEN COUNT(*) FILTER (WHERE age >= 0 AND age < 604800 AND type = 'page_view') >= 5
           THEN 10 ELSE 0 END AS burst
    FROM events
    GROUP BY lead_id
  ),
  fit_rules AS (
    SELECT
      lead_id,
      CASE WHEN company_size BETWEEN 10 AND 100 THEN 20 ELSE 0 END
      + CASE WHEN company_size BETWEEN 101 AND 1000 THEN 10 ELSE 0 END
      + CASE WHEN industry IN ('IT', 'Software', 'SaaS') THEN 15 ELSE 0 END
      + CASE WHEN industry = 'Finance' THEN 8 ELSE 0 END
      + CASE WHEN country = 'FR' THEN 10 ELSE 0 END
      + CASE WHEN country IN ('DE', 'ES', 'IT', 'BE', 'NL') THEN 5 ELSE 0 END
      + CASE WHEN contains(lower(job_title), 'head') OR contains(lower(job_title), 'director')
                  OR starts_with(job_title, 'VP') THEN 12 ELSE 0 END
      + CASE WHEN budget >= 10000 THEN 10 ELSE 0 END
      -- domain(email): lower-cased text after the last '@'; null without '@'
      + CASE WHEN CASE WHEN contains(email, '@') THEN lower(string_split(email, '@')[-1]) END
                  IN ('gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'orange.fr')
             THEN -10 ELSE 0 END
      + CASE WHEN contains(lower(job_title), 'student') THEN -20 ELSE 0 END AS fit_points
    FROM leads
  ),
  totals AS (
    SELECT
      lead_id,
      LEAST(GREATEST(COALESCE(f.fit_points, 0), 0), 100) AS fit,
      LEAST(GREATEST(COALESCE(e.page_view + e.pricing + e.case_study + e.careers + e.email_open
                              + e.email_click + e.whitepaper + e.webinar + e.demo + e.quote
                              + e.unsubscribe + e.burst, 0), 0), 100) AS engagement
    FROM fit_rules AS f FULL OUTER JOIN engagement_rules AS e USING (lead_id)
  ),
  scored AS (
    SELECT lead_id, fit, engagement, LEAST(GREATEST(fit + engagement, 0), 100) AS score,
           CASE WHEN fit >= 45 THEN 'A' WHEN fit >= 30 THEN 'B' WHEN fit >= 15 THEN 'C'
                ELSE 'D' END AS grade
    FROM totals
  )
  SELECT
    lead_id,
    printf('%.2f', round(score::DOUBLE, 2)) AS score,
    printf('%.2f', round(fit::DOUBLE, 2)) AS fit,
    printf('%.2f', round(engagement::DOUBLE, 2)) AS engagement,
    grade,
    CASE WHEN score >= 85 AND grade = 'A' THEN 'hot' WHEN score >= 65 THEN 'MQL' END AS stage
  FROM scored
  ORDER BY scored.score DESC, lead_id ASC
) TO '{output}' (FORMAT csv, HEADER true);
