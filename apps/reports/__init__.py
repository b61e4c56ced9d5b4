"""Reports: GST returns, registers and e-invoice files, built by workers into the exports storage."""
