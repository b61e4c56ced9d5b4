"""Sale rules kept as data: thresholds change by notification, so code reads them from here."""

from decimal import Decimal

# Rule 46(e): for an unregistered buyer, the invoice carries their name, address and state from
# this taxable value up.
UNREGISTERED_DETAILS_FROM = Decimal("50000")
# Income-tax Rule 114B: a sale of jewellery over ₹2 lakh needs the buyer's PAN, or Form 60.
PAN_REQUIRED_ABOVE = Decimal("200000")
# Income-tax s.269ST: no cash receipt of ₹2 lakh or more for one sale.
CASH_LIMIT = Decimal("200000")

# GST on jewellery, bullion and coins (chapter 71): 3% of the whole value, making charges included.
JEWELLERY_GST_RATE = Decimal("3")

# Default series per document type: {CODE} is the series code, {FY} the year as 25-26, {NNNN}
# the counter zero-padded to 4. INV/25-26/0001 is 14 characters; the limit is 16.
DEFAULT_SERIES_CODES = {
    "invoice": "INV",
    "credit_note": "CN",
    "debit_note": "DN",
    "receipt_voucher": "RV",
    "purchase_voucher": "PV",
}
DEFAULT_NUMBER_FORMAT = "{CODE}/{FY}/{NNNN}"

# What a receipt voucher says of tax: an advance for goods carries none (Notification 66/2017-CT);
# the GST is charged on the invoice the advance is adjusted against.
ADVANCE_NO_GST_LINE = "No GST is payable on an advance for goods (Notification 66/2017-Central Tax)."

# The BIS statement every bill of hallmarked jewellery carries.
HALLMARK_VERIFICATION_LINE = (
    "The purity of hallmarked jewellery can be verified at any BIS-recognised assaying and "
    "hallmarking centre."
)
