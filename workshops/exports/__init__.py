"""What leaves the board: the workshop's map as a PDF for people (`pdf`) and as JSON for tools
(`json`), both read from the one worked-out map (`map`)."""
