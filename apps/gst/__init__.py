"""The home of GST: tax math, document numbers, financial years and retention, GSTIN and HSN rules.

Anything that computes or checks tax lives here and nowhere else; rounding itself is `apps.core.money`.
- `tax`: a line's CGST/SGST/IGST settled once at 2 places; document totals and the round-off.
- `words`: an amount in words, in lakhs and crores.
- `periods`: financial years and how long a record is kept (CGST s.36).
- `numbering`: what a document number may look like (Rule 46, e-invoice).
- `validators`, `states`: GSTIN, HSN and the state codes.
"""
