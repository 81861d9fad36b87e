from django.db import transaction

from accounts.models import Membership, Role, User


@transaction.atomic
def user_create(
    *, email: str, password: str | None, full_name: str = "", is_curator: bool = False
) -> User:
    user = User(
        email=User.objects.normalize_email(email).lower(),
        full_name=full_name,
        is_curator=is_curator,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def membership_set(*, user: User, collectivite, role: str = Role.READER) -> Membership:
    """Give the user this role in the collectivité (creating the membership when needed)."""
    membership, _created = Membership.objects.update_or_create(
        user=user, collectivite=collectivite, defaults={"role": role}
    )
    membership.full_clean()
    return membership
