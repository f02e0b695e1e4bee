"""What the producer reads after a move, said the same on the pages and through the API."""

from .models import Prospect, StageAdvance


def advance_message(prospect: Prospect, advance: StageAdvance) -> tuple[str, str]:
    """What the toast says after a move; "win" marks a celebration. The wins are the stages
    the move reached for the first time (pipeline/wins.py)."""
    to_stage = advance.to_stage
    if to_stage.is_lost:
        return f"{prospect.name} marked lost. The reason is recorded.", ""
    if not advance.wins:
        where = "back to" if to_stage.position < advance.from_stage.position else "to"
        return (f"{prospect.name} moved {where} {to_stage.name}. It had been this far "
                "before, so no new win.", "")
    stages = f" {advance.wins} stage wins." if advance.wins > 1 else ""
    if to_stage.is_won:
        return f"🎉 Bound! {prospect.name} is a new client.{stages}", "win"
    return (f"🎉 Win! {prospect.name} moved to {to_stage.name}.{stages} "
            "Success is the next step.", "win")
