"""GST returns built from issued documents: GSTR-1 (JSON for the portal, the offline tool's sheets) and
the GSTR-3B summary drawn from the same figures. The builders know nothing of the database: they take
document records from a source and stream what they write."""
