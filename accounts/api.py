from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import bruteforce


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class ObtainTokenView(APIView):
    """POST an e-mail and a password, get the token to send as `Authorization: Token <key>`.

    Failed attempts share the web sign-in's counter (django-axes, per account and client
    address, on every host): once locked, a 429 with a French `detail` and `Retry-After`."""

    policy_name = "auth-token"
    authentication_classes = []

    def get_authenticate_header(self, request):
        # A refused login is a 401 that says how to authenticate, like the rest of the API.
        return "Token"

    @extend_schema(
        summary="Obtenir un jeton d'accès",
        request=TokenRequestSerializer,
        responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
    )
    def post(self, request):
        body = TokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = authenticate(
            request, username=body.validated_data["email"], password=body.validated_data["password"]
        )
        if user is None and bruteforce.is_locked_out(request):
            email = body.validated_data["email"].strip().lower()
            raise bruteforce.LockedOut(bruteforce.wait_minutes(request, email))
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed(
                _("Adresse électronique ou mot de passe incorrect.")
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
