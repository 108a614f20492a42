"""Care chapter: care calendar, notices, community events."""
