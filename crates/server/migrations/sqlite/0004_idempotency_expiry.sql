-- Idempotency records are kept for a retention window (24 h by default) and then deleted in
-- batches by created_at; this index makes that sweep a range scan.
CREATE INDEX idempotency_created ON idempotency (created_at);
