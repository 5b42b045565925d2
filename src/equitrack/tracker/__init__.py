"""The recommendations being tracked: their words, actions with history, and their evidence."""
