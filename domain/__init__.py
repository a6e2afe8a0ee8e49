"""Pure VORI logic: envelopes, timelines, transcripts, minutes, tickets, metrics. No I/O."""
