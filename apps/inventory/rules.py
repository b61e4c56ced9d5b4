"""BIS hallmarking rules kept as data: they change by notification, so code reads them from here."""

from decimal import Decimal

# Gold articles under this gross weight need no HUID (BIS Hallmarking Order, 2022).
HALLMARK_MIN_GRAMS = Decimal("2.000")
# Shops whose annual turnover is up to this many rupees are exempt from mandatory hallmarking.
SMALL_TURNOVER_LIMIT_RUPEES = Decimal("4000000")

# The compliance page warns this many days before the shop's BIS registration expires.
BIS_EXPIRY_WARNING_DAYS = 60

# Making charges above these are typos (5000 for 50.00, rupees typed as a percentage): Indian shops
# charge about 3-35% of the metal value, or a few hundred to a few thousand rupees a gram.
MAKING_CHARGE_MAX_PERCENT = Decimal("100")
MAKING_CHARGE_MAX_PER_GRAM = Decimal("10000")

# HSN codes by category: 7113 jewellery, 7108 gold bars and coins, 7106 silver (editable per item).
HSN_JEWELLERY = "7113"
HSN_GOLD_BULLION = "7108"
HSN_SILVER = "7106"

# Purities seeded on a new installation; super admins edit the table in admin afterwards.
SEED_PURITIES = [
    ("gold", "24K", 999),
    ("gold", "23K", 958),
    ("gold", "22K", 916),
    ("gold", "20K", 833),
    ("gold", "18K", 750),
    ("gold", "14K", 585),
    ("gold", "9K", 375),
    ("silver", "", 999),
    ("silver", "", 925),
    ("platinum", "", 950),
]
