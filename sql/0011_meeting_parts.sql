-- A meeting longer than VORI_MAX_MEETING_S is recorded in parts (docs/contract.md, meeting
-- lifecycle): part 1 keeps the senders' meeting id, part n > 1 is `<id>~n` with part_of = `<id>`.
-- The part before part n is `<id>` (n = 2) or `<id>~(n-1)`. close_reason gains 'max_length'
-- (the column has no CHECK). Forward-only.
ALTER TABLE meetings ADD COLUMN part_of text;
ALTER TABLE meetings ADD COLUMN part int NOT NULL DEFAULT 1 CHECK (part >= 1);
CREATE INDEX meetings_part_of ON meetings (team, part_of) WHERE part_of IS NOT NULL;
