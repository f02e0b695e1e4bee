from django.shortcuts import redirect

from .access import producer_required


@producer_required
def home(request):
    """Producers start on their own week; leaders and owners on the team scorecard."""
    if request.producer.is_leader:
        return redirect("accountability:team")
    return redirect("accountability:my_week")
