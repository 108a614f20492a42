"""Care chapter: reception log and personalised needs."""
