-- Optional token expiry (issue 12): a token past expires_at verifies as unknown, and an open board
-- socket of it is closed at the next re-check. NULL means the token never expires.
ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_expiry_after_creation
    CHECK (expires_at IS NULL OR expires_at > created_at);
