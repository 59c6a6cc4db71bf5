"""Evidence for commissioners: roll-ups kept with the ledger, figures, small-cell suppression."""
