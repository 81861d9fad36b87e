def site(request):
    return {
        "collectivite": getattr(request, "collectivite", None),
        "role": getattr(request, "role", None),
    }
