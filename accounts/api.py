from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class LoginRateThrottle(AnonRateThrottle):
    scope = "login"


class ObtainTokenView(APIView):
    """POST an e-mail and a password, get the token to send as `Authorization: Token <key>`."""

    policy_name = "auth-token"
    authentication_classes = []
    throttle_classes = [LoginRateThrottle]

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
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed(
                _("Adresse électronique ou mot de passe incorrect.")
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
