"""Care chapter: visits and visit plans, steward handover."""
