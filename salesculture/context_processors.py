def acting_producer(request):
    producer = getattr(request, "producer", None)
    return {"me": producer if producer else None}
