-- Analytics: the per-segment keyword counts keyword_trends is rebuilt from, rejected records of
-- the Spark jobs, and the views analysts query (docs/analytics.md). Forward-only.

-- One row per (segment, keyword): re-processing a segment replaces its rows, so windows rebuilt
-- from this table never double count, whatever Spark replays.
CREATE TABLE keyword_segment_counts (
    meeting_id   text NOT NULL,
    source       text NOT NULL,
    start_ms     bigint NOT NULL,
    keyword      text NOT NULL,
    team         text NOT NULL,
    hour_start   timestamptz NOT NULL,
    day_start    timestamptz NOT NULL,
    mentions     integer NOT NULL CHECK (mentions > 0),
    PRIMARY KEY (meeting_id, source, start_ms, keyword)
);
CREATE INDEX keyword_segment_counts_hour ON keyword_segment_counts (team, hour_start);
CREATE INDEX keyword_segment_counts_day ON keyword_segment_counts (team, day_start);

-- Records a Spark job skipped (malformed JSON, missing fields, unknown meeting), once each.
CREATE TABLE analytics_rejects (
    job         text NOT NULL,
    topic       text NOT NULL,
    partition   integer NOT NULL,
    "offset"    bigint NOT NULL,
    reason      text NOT NULL,
    raw         text,
    rejected_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job, topic, partition, "offset")
);

CREATE INDEX keyword_trends_keyword ON keyword_trends (team, granularity, keyword, window_start);

-- Daily keyword trends per team, ranked by trend score within each day.
CREATE VIEW team_keyword_trends_daily AS
SELECT team,
       (window_start AT TIME ZONE 'UTC')::date AS day,
       keyword,
       mentions,
       meetings,
       trend_score,
       rank() OVER (PARTITION BY team, window_start
                    ORDER BY trend_score DESC, mentions DESC, keyword) AS rank_in_day
FROM keyword_trends
WHERE granularity = 'day';

-- Weekly efficiency per team (ISO weeks, UTC), over the meetings that have metrics.
CREATE VIEW team_efficiency_weekly AS
SELECT m.team,
       (date_trunc('week', m.started_at AT TIME ZONE 'UTC'))::date AS week,
       count(*)                                  AS meetings,
       round(sum(mm.duration_s)::numeric / 3600, 2) AS hours,
       avg(mm.efficiency_score)                  AS avg_efficiency_score,
       avg(mm.wpm)                               AS avg_wpm,
       avg(mm.speaker_balance)                   AS avg_speaker_balance,
       sum(mm.decisions)                         AS decisions,
       sum(mm.action_items)                      AS action_items,
       sum(mm.action_items) / nullif(sum(mm.duration_s) / 3600, 0) AS action_items_per_hour,
       avg(mm.follow_through)                    AS avg_follow_through
FROM meeting_metrics mm
JOIN meetings m USING (meeting_id)
GROUP BY m.team, week;

-- Ticket follow-through per meeting: tickets born there and how many were done within 7 days.
CREATE VIEW ticket_follow_through AS
WITH done AS (
    SELECT ticket_id, min(at) AS done_at
    FROM ticket_events
    WHERE new_status = 'done'
    GROUP BY ticket_id
)
SELECT t.team,
       t.meeting_id,
       count(*)                                                          AS tickets,
       count(*) FILTER (WHERE t.status = 'done')                         AS done_now,
       count(*) FILTER (WHERE d.done_at <= t.created_at + interval '7 days') AS done_within_7d,
       round(count(*) FILTER (WHERE d.done_at <= t.created_at + interval '7 days')::numeric
             / count(*), 4)                                              AS follow_through
FROM tickets t
LEFT JOIN done d USING (ticket_id)
GROUP BY t.team, t.meeting_id;
