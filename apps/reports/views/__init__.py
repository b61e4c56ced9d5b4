"""The pages of reports: GST returns and their exports, registers, e-invoices for the IRP."""
