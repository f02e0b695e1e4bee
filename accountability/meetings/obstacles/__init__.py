"""Clear the path (the fourth part of a 4DX weekly session): obstacles raised during a turn,
owned by someone who can remove them, carried from week to week until closed."""
