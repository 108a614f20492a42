"""Customer surveys and satisfaction (POLICY Ch.7)."""
