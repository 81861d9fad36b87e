from django.conf import settings


def site(request):
    try:
        host = request.get_host()
    except Exception:
        host = ""
    _name, sep, port = host.rpartition(":")
    port = f":{port}" if sep and port.isdigit() else ""
    return {
        "collectivite": getattr(request, "collectivite", None),
        "role": getattr(request, "role", None),
        # Links from a collectivité's site to the shared one keep the port (development).
        "public_site_url": f"//{settings.BASE_DOMAIN}{port}/",
        "knowledge_enabled": "knowledge" in settings.INSTALLED_APPS,
    }
