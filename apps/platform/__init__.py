"""The platform's own pages for super admins (figures across every workspace), above the product apps.

It reads through each app's selectors and owns no models. `core` stays the ground floor that the
other apps build on; this app sits on top of them, so its imports only point down.
"""
