-- The moderation queue reads open items oldest first, by status (and a cursor on the time).
CREATE INDEX reports_queue ON reports (status, created_at, feedback_id);
CREATE INDEX removal_requests_queue ON removal_requests (status, created_at, feedback_id);
