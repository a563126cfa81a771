"""The e-government workflow suite: one package per service, plus shared plumbing in `common`."""
