"""The JSON API under /api/v1/ (issue 14): the pages' services and selectors behind personal
tokens, described by an OpenAPI document. The slice sits above every other one: it answers
what my week, the scorecards and the commitments pages answer, as JSON."""
