"""The reports API: GST return exports, registers, e-invoice files."""
