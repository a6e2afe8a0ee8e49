-- Search across meetings (docs/board.md, "Search"): full text over transcript segments, minutes
-- and tickets. Forward-only.
--
-- Each searched table gets two columns:
--   search_terms  the Korean morphemes of the row's text (kiwipiepy, computed in Python by the
--                 writer: connectors/korean.py korean_terms), space-separated; '' when the text
--                 has no Korean, NULL when no writer analysed it (a row written before this
--                 migration, or a text changed by a writer that does not know about search).
--   search_vec    english stems of the text plus the morphemes as 'simple' lexemes, generated,
--                 under a GIN index. A query is tokenised the same way (connectors/board_store.py).
-- Until its morphemes are computed, a row's Korean words are in the english part as whole words,
-- so it is still found by the exact word.

-- The minutes' searchable text: the summary, the decisions and the action items' tasks. Decisions
-- are objects ({"text": …}) as the pipeline writes them, or plain strings.
CREATE FUNCTION vori_minutes_text(summary text, decisions jsonb, action_items jsonb)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT concat_ws(E'\n', summary,
        (SELECT string_agg(CASE jsonb_typeof(d) WHEN 'object' THEN d ->> 'text' ELSE d #>> '{}' END,
                           E'\n')
         FROM jsonb_array_elements(CASE jsonb_typeof(decisions) WHEN 'array' THEN decisions
                                   ELSE '[]'::jsonb END) AS d),
        (SELECT string_agg(CASE jsonb_typeof(a) WHEN 'object' THEN a ->> 'task' ELSE a #>> '{}' END,
                           E'\n')
         FROM jsonb_array_elements(CASE jsonb_typeof(action_items) WHEN 'array' THEN action_items
                                   ELSE '[]'::jsonb END) AS a))
$$;

-- What the english configuration indexes: the text, without its Korean once the Korean is in
-- search_terms (a word is counted once, so ranking does not favour bare Korean words).
CREATE FUNCTION vori_search_english(body text, search_terms text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN search_terms IS NULL THEN body
                ELSE regexp_replace(body, '[가-힣ᄀ-ᇿㄱ-ㆎ]+', ' ', 'g') END
$$;

-- A ticket's searchable text: its title and the words it was born from.
CREATE FUNCTION vori_ticket_text(title text, source_quote text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT concat_ws(E'\n', title, source_quote)
$$;

ALTER TABLE transcript_segments
    ADD COLUMN search_terms text,
    ADD COLUMN search_vec tsvector GENERATED ALWAYS AS (
        to_tsvector('english'::regconfig, vori_search_english(text, search_terms))
        || to_tsvector('simple'::regconfig, coalesce(search_terms, ''))) STORED;
CREATE INDEX transcript_segments_search ON transcript_segments USING gin (search_vec);

ALTER TABLE meeting_minutes
    ADD COLUMN search_terms text,
    ADD COLUMN search_vec tsvector GENERATED ALWAYS AS (
        to_tsvector('english'::regconfig, vori_search_english(
            vori_minutes_text(summary, decisions, action_items), search_terms))
        || to_tsvector('simple'::regconfig, coalesce(search_terms, ''))) STORED;
CREATE INDEX meeting_minutes_search ON meeting_minutes USING gin (search_vec);

ALTER TABLE tickets
    ADD COLUMN search_terms text,
    ADD COLUMN search_vec tsvector GENERATED ALWAYS AS (
        to_tsvector('english'::regconfig, vori_search_english(
            vori_ticket_text(title, source_quote), search_terms))
        || to_tsvector('simple'::regconfig, coalesce(search_terms, ''))) STORED;
CREATE INDEX tickets_search ON tickets USING gin (search_vec);

-- The writers send search_terms with the text. A text without Korean needs no morphemes (''), and
-- the morphemes of an old text must not outlive it: a writer that changes a Korean text without
-- sending new morphemes leaves NULL (to be analysed), never the previous text's morphemes.
CREATE FUNCTION vori_searchable_text(tab name, r anyelement) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN CASE tab
        WHEN 'transcript_segments' THEN (to_jsonb(r) ->> 'text')
        WHEN 'meeting_minutes' THEN vori_minutes_text(to_jsonb(r) ->> 'summary',
                                                      to_jsonb(r) -> 'decisions',
                                                      to_jsonb(r) -> 'action_items')
        ELSE vori_ticket_text(to_jsonb(r) ->> 'title', to_jsonb(r) ->> 'source_quote')
    END;
END;
$$;

CREATE FUNCTION vori_search_terms_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    new_text text := vori_searchable_text(TG_TABLE_NAME, NEW);
BEGIN
    IF new_text IS NULL OR new_text !~ '[가-힣ᄀ-ᇿㄱ-ㆎ]' THEN
        NEW.search_terms := '';
    ELSIF TG_OP = 'UPDATE'
          AND NEW.search_terms IS NOT DISTINCT FROM OLD.search_terms
          AND new_text IS DISTINCT FROM vori_searchable_text(TG_TABLE_NAME, OLD) THEN
        NEW.search_terms := NULL;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER transcript_segments_search_terms
    BEFORE INSERT OR UPDATE ON transcript_segments
    FOR EACH ROW EXECUTE FUNCTION vori_search_terms_check();
CREATE TRIGGER meeting_minutes_search_terms
    BEFORE INSERT OR UPDATE ON meeting_minutes
    FOR EACH ROW EXECUTE FUNCTION vori_search_terms_check();
CREATE TRIGGER tickets_search_terms
    BEFORE INSERT OR UPDATE ON tickets
    FOR EACH ROW EXECUTE FUNCTION vori_search_terms_check();

-- Rows written before this migration: those without Korean need no morphemes. The board hears
-- nothing of it (nothing it shows changed). Korean rows stay NULL until `vori search --reindex`.
ALTER TABLE transcript_segments DISABLE TRIGGER transcript_segments_board_event;
-- The trigger above writes '' where the text has no Korean.
UPDATE transcript_segments SET search_terms = NULL;
ALTER TABLE transcript_segments ENABLE TRIGGER transcript_segments_board_event;
ALTER TABLE meeting_minutes DISABLE TRIGGER meeting_minutes_board_event;
UPDATE meeting_minutes SET search_terms = NULL;
ALTER TABLE meeting_minutes ENABLE TRIGGER meeting_minutes_board_event;
ALTER TABLE tickets DISABLE TRIGGER tickets_board_event_update;
UPDATE tickets SET search_terms = NULL;
ALTER TABLE tickets ENABLE TRIGGER tickets_board_event_update;

-- Rows whose morphemes are still to be computed (vori search --reindex fills them).
CREATE INDEX transcript_segments_search_pending ON transcript_segments (meeting_id)
    WHERE search_terms IS NULL;
CREATE INDEX meeting_minutes_search_pending ON meeting_minutes (meeting_id)
    WHERE search_terms IS NULL;
CREATE INDEX tickets_search_pending ON tickets (ticket_id) WHERE search_terms IS NULL;
