-- The web view's sign-in links work once: the id of each link exchanged for a session is kept
-- until the link has expired (SignInLinkLedger deletes older rows as it goes).
CREATE TABLE sign_in_links_used (
    link_id     text PRIMARY KEY CHECK (length(link_id) BETWEEN 1 AND 64),
    used_at     timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX sign_in_links_used_expiry ON sign_in_links_used (expires_at);
