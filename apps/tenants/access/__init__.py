"""Tenant scope lives here: who is acting, in which workspace, with which role.

- `session`: the workspace a signed-in person has chosen (the one place that writes it).
- `middleware`: puts `request.tenant` and `request.membership` on every page request, and scopes the
  database (row-level security) to that tenant.
- `authentication`: the same for API keys.
- `decorators`: `tenant_view(role)`, the gate of every page.
- `permissions`: `TenantRolePermission`, the gate of every API endpoint.
- `writes`: `write_refusal`, which both gates ask before a write: a shop whose AMC has lapsed is read-only.
- `context_processors`: the workspace switcher's data and the AMC banner for templates.
"""
