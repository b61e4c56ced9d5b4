"""An e-mail backend for catching a reminder run in the middle of a send: Django's in-memory backend
(`mail.outbox`), whose first send waits until the test opens the gate. Every later send goes through."""

from __future__ import annotations

import threading

from django.core.mail.backends import locmem

TIMEOUT = 30.0


class GatedBackend(locmem.EmailBackend):
    entered = threading.Event()
    gate = threading.Event()

    @classmethod
    def reset(cls) -> None:
        cls.entered, cls.gate = threading.Event(), threading.Event()

    def send_messages(self, messages):
        cls = type(self)
        if not cls.entered.is_set():
            cls.entered.set()
            if not cls.gate.wait(TIMEOUT):
                raise TimeoutError("the test never opened the gate")
        return super().send_messages(messages)
