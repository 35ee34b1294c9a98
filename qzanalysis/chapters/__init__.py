"""Chapter modules: one per chapter notebook; each function builds one paragraph, table or figure from data."""
