"""The one webhook intake, the same for every supplier: whom a delivery is for and what is
refused (destinations, refusals), admission (intake), the inbox (writer) and what each
accepted event changes (processing). A supplier takes part through its webhook codec
(suppliers/webhooks.py)."""
