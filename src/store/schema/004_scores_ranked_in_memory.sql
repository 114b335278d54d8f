-- Version 4: lead_scores keeps no index by rank. Every new score moved its entry from one leaf
-- of that index to another: two random page writes per rescored lead beside the row's own, and
-- most of what a single event cost the writer on a populated store (bench/README.md). The
-- service keeps the ranking in memory (service/score_rankings.h); a list without it scans.
DROP INDEX IF EXISTS lead_scores_by_rank;
