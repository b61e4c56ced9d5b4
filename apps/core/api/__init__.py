"""The API platform every app's endpoints stand on.

- `errors`: the one error shape and the exception handler (settings `EXCEPTION_HANDLER`).
- `viewsets`: `TenantViewSet`, the base that applies tenant scope, roles per action and throttles.
- `filters`: query-parameter filters that answer 400, never 500.
- `fields`: `DecimalInput`, amounts and weights sent as people write them ("5,512.50").
- `idempotency`: `Idempotency-Key` for POST.
- `throttling`: request rates per tenant and per address.
- `pagination`, `schema`: page numbers, and the documented error answers.
"""
