"""What every operation of both APIs shares, written into their OpenAPI schemas: the error
answers it can give, and which query parameters accept an empty value.

drf-spectacular documents the success answers of each view; the errors come from the shared
exception handler (config/api_errors.py), the policy, the throttles and config/errors.py, the same
for every view. This post-processing hook adds them once, with their JSON body and their headers,
so that a client (and schemathesis in tests/reliability/fuzz.py) can rely on the whole contract.
"""

from django.utils.translation import gettext_lazy as _

ERROR = "ErreurAPI"
FIELD_ERRORS = "ErreursDeChamps"
WRITE_METHODS = {"post", "put", "patch", "delete"}
# Every optional query parameter (filters, `q`, `sep`, `page`…) reads an empty value as absent, as
# an HTML form sends it; a required one (the statistics' `by`, the directory's `q`) is never empty.

_RETRY_AFTER = {
    "Retry-After": {
        "description": str(_("Secondes à attendre avant de réessayer.")),
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    }
}


def _answer(description: str, schema: str | None = ERROR, headers: dict | None = None) -> dict:
    answer: dict = {"description": description}
    if schema:
        answer["content"] = {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}
        }
    if headers:
        answer["headers"] = headers
    return answer


def _errors(method: str) -> dict:
    errors = {
        "400": _answer(
            str(_("Données ou paramètres invalides : un message par champ.")), FIELD_ERRORS
        ),
        "401": _answer(str(_("Jeton absent, invalide, ou identifiants refusés."))),
        "403": _answer(str(_("Action non permise pour ce compte."))),
        "404": _answer(str(_("Introuvable, ou invisible pour ce compte."))),
        "405": _answer(str(_("Méthode non permise sur cette adresse."))),
        "406": _answer(str(_("Format de réponse demandé (Accept) non disponible."))),
        # Request lines over the server's limit are refused by gunicorn (or the proxy), in HTML.
        "414": {"description": str(_("Adresse trop longue (refusée par le serveur web)."))},
        "429": _answer(
            str(_("Trop de requêtes ou de tentatives : attendre Retry-After secondes.")),
            headers=_RETRY_AFTER,
        ),
        "503": _answer(str(_("Base de données momentanément indisponible.")), headers=_RETRY_AFTER),
    }
    if method in WRITE_METHODS:
        errors |= {
            "412": _answer(str(_("If-Match ne correspond plus : la fiche a changé depuis."))),
            "413": _answer(str(_("Envoi trop volumineux."))),
            "415": _answer(str(_("Type de contenu non accepté (JSON attendu)."))),
        }
    return errors


def document_errors(result, generator, request, public):
    """POSTPROCESSING_HOOKS entry: every operation lists the error answers it can give."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas[ERROR] = {
        "type": "object",
        "description": str(_("Erreur : un message en français.")),
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    }
    schemas[FIELD_ERRORS] = {
        "type": "object",
        "description": str(
            _(
                "Erreurs de validation : pour chaque champ, la liste de ses messages (pour une "
                "liste de lignes, un objet par ligne) ; `detail` ou `non_field_errors` pour le "
                "reste."
            )
        ),
        "additionalProperties": {
            "oneOf": [
                {"type": "string"},
                {"type": "array", "items": {}},
                {"type": "object"},
            ]
        },
    }
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, answer in _errors(method).items():
                operation["responses"].setdefault(code, answer)
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
    return result
