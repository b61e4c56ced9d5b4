"""An amount in words, the Indian way: "Rupees Twelve Lakh Thirty-Four Thousand ... and Fifty Paise Only".

Not required by Rule 46, but every Indian bill carries it. num2words' `en_IN` counts in lakhs and
crores; it is called on whole numbers only, because its currency mode defaults to euros and reads
an int as paise.
"""

from __future__ import annotations

from decimal import Decimal

from num2words import num2words

from apps.core.money import rupees

LIMIT = Decimal("10000000000")  # ₹1,000 crore: num2words' en_IN stops below 10**10


def _words(number: int) -> str:
    text = num2words(number, lang="en_IN").replace(",", "").replace(" and ", " ")
    return " ".join("-".join(part.capitalize() for part in word.split("-")) for word in text.split())


def rupees_in_words(amount: Decimal) -> str:
    amount = rupees(amount)
    if amount < 0 or amount >= LIMIT:
        raise ValueError(f"Cannot write {amount} in words: amounts from ₹0 to below ₹1,000 crore only.")
    whole, paise = divmod(int(amount * 100), 100)
    text = f"Rupees {_words(whole)}"
    if paise:
        text += f" and {_words(paise)} Paise"
    return f"{text} Only"
