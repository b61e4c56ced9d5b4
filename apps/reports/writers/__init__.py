"""The export kinds' writers; each module registers its kinds with `export_kind_register` on import
(from `ReportsConfig.ready`)."""
