-- Version 2: model versions, current scores, the stage transition log and the webhook outbox.
CREATE TABLE models (
  name       TEXT NOT NULL,
  version    BIGINT NOT NULL,
  yaml       TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (name, version)
);

-- The models that score: one row per name. role: primary (its values lead a lead's JSON and
-- fire actions), live (scored, fires actions), shadow (scored and stored, fires nothing).
CREATE TABLE active_models (
  name         TEXT PRIMARY KEY,
  version      BIGINT NOT NULL,
  role         TEXT NOT NULL,
  activated_at BIGINT NOT NULL
);

-- Each lead's score under each active model at its last evaluation.
CREATE TABLE lead_scores (
  model         TEXT NOT NULL,
  lead_id       TEXT NOT NULL,
  model_version BIGINT NOT NULL,
  score         DOUBLE PRECISION NOT NULL,
  fit           DOUBLE PRECISION NOT NULL,
  engagement    DOUBLE PRECISION NOT NULL,
  grade         TEXT,
  stage         TEXT,
  scored_at     BIGINT NOT NULL,
  PRIMARY KEY (model, lead_id)
);
CREATE INDEX lead_scores_by_rank ON lead_scores (model, score DESC, lead_id);

-- Every stage change, written once, with what caused it and the explanation at that moment.
CREATE TABLE transitions (
  id            @SERIAL_PRIMARY_KEY@,
  lead_id       TEXT NOT NULL,
  model         TEXT NOT NULL,
  model_version BIGINT NOT NULL,
  from_stage    TEXT,
  to_stage      TEXT,
  score         DOUBLE PRECISION NOT NULL,
  at            BIGINT NOT NULL,
  cause         TEXT NOT NULL,       -- "event:<event_id or seq>", "time", "attributes", "model"
  explanation   TEXT NOT NULL        -- JSON array of {"rule","points"}
);
CREATE INDEX transitions_by_lead ON transitions (lead_id, id);

-- Webhook deliveries: written in the transaction that records the transition, so a crash
-- never loses one (at-least-once).
CREATE TABLE outbox (
  id              @SERIAL_PRIMARY_KEY@,
  webhook         TEXT NOT NULL,
  lead_id         TEXT NOT NULL,
  payload         TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  status          TEXT NOT NULL,     -- pending | delivered | failed
  attempts        BIGINT NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  last_error      TEXT NOT NULL,
  created_at      BIGINT NOT NULL,
  delivered_at    BIGINT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
