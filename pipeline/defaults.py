"""The sales process a new agency starts with; every stage says what “done” means."""

DEFAULT_STAGES = [
    # name, kind, stale after days, definition of done
    ("Lead", "open", 7,
     "We know who they are, how to reach them and why they might need us."),
    ("Contacted", "open", 7,
     "We have spoken with the decision maker and they agreed to keep talking."),
    ("Appointment set", "open", 10,
     "A meeting is on both calendars with an agenda the prospect accepted."),
    ("Discovery done", "open", 14,
     "We know their current coverage, renewal date, pain points and what a better "
     "outcome is worth to them; we have the data to go to market."),
    ("Submitted to markets", "open", 14,
     "Complete submissions are with the carriers that fit, with the prospect's approval."),
    ("Proposal presented", "open", 10,
     "We walked the prospect through our recommendation and its value, in person or on video."),
    ("Bound", "won", 365,
     "Coverage is bound, the first payment arranged and the client welcomed."),
    ("Lost", "lost", 365,
     "The prospect chose not to go ahead; the reason is recorded."),
]

DEFAULT_ACTIVITY_TYPES = [
    ("Call", "📞"),
    ("Email", "✉️"),
    ("Appointment", "📅"),
    ("Referral ask", "🤝"),
    ("Quote", "🧾"),
    ("Proposal", "📄"),
]

# The pick list offered when a prospect is marked lost; "Other" with a text is always there too.
DEFAULT_LOST_REASONS = [
    "Price",
    "Went with their current agent",
    "Not the right time",
    "Bought direct online",
    "Stopped responding",
    "Coverage did not fit",
]
