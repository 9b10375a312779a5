"""Moderation of held ratings and staff key-in of hotline and paper ratings (filled in below)."""
