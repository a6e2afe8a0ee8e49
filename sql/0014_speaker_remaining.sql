-- A label named as the one member the roster leaves over (issue 13). Forward-only.

-- 'remaining': every listed member spoke, every other label is named, and what was said rules
-- out every other pairing; named with a modest confidence, never learned from.
ALTER TABLE meeting_speakers DROP CONSTRAINT meeting_speakers_how_check;
ALTER TABLE meeting_speakers ADD CONSTRAINT meeting_speakers_how_check
    CHECK (how IN ('voice', 'addressed', 'introduced', 'thanked', 'person', 'remaining'));
