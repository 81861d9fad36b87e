from django.db import transaction

from accounts.models import AuditEvent, Membership, Role, User


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
def membership_set(*, user: User, collectivite, role: str = Role.READER, actor=None) -> Membership:
    """Give the user this role in the collectivité (creating the membership when needed)."""
    before = (
        Membership.objects.filter(user=user, collectivite=collectivite)
        .values_list("role", flat=True)
        .first()
    )
    membership, created = Membership.objects.update_or_create(
        user=user, collectivite=collectivite, defaults={"role": role}
    )
    membership.full_clean()
    if before != role:
        audit_record(
            actor=actor,
            action="membership_created" if created else "membership_changed",
            target=membership,
            changes={"role": {"before": before, "after": role}},
        )
    return membership


@transaction.atomic
def user_update(*, user: User, actor, changed: list[str]) -> User:
    """Save an account changed in the admin, with an audit row of what changed (the password's
    value is never recorded)."""
    stored = User.objects.get(pk=user.pk)
    changes = {
        name: (
            {"before": "…", "after": "…"}
            if name == "password"
            else {"before": _plain(getattr(stored, name)), "after": _plain(getattr(user, name))}
        )
        for name in changed
        if hasattr(stored, name)
    }
    user.full_clean(exclude=["password"])
    user.save()
    if changes:
        audit_record(actor=actor, action="user_changed", target=user, changes=changes)
    return user


@transaction.atomic
def audited_save(instance, *, actor):
    """Validate and save one row of the public schema that has no service of its own (an entry
    of the catalogue or of the knowledge base, a host name), with an audit row of its changes."""
    created = instance.pk is None
    changes = instance_changes(instance)
    instance.full_clean()
    instance.save()
    if created or changes:
        audit_record(
            actor=actor,
            action=f"{instance._meta.model_name}_{'created' if created else 'changed'}",
            target=instance,
            changes=changes,
        )
    return instance


@transaction.atomic
def audited_delete(instance, *, actor) -> None:
    audit_record(actor=actor, action=f"{instance._meta.model_name}_deleted", target=instance)
    instance.delete()


def instance_changes(instance) -> dict:
    """{field: {before, after}} of an instance against its stored row (empty when new)."""
    if instance.pk is None:
        return {}
    stored = type(instance).objects.filter(pk=instance.pk).first()
    if stored is None:
        return {}
    return {
        f.name: {
            "before": _plain(getattr(stored, f.attname)),
            "after": _plain(getattr(instance, f.attname)),
        }
        for f in instance._meta.concrete_fields
        if not f.primary_key
        and getattr(stored, f.attname) != getattr(instance, f.attname)
        and f.name not in ("search_vector", "updated_at")
    }


@transaction.atomic
def membership_remove(*, membership: Membership, actor=None) -> None:
    audit_record(actor=actor, action="membership_removed", target=membership)
    membership.delete()


def actor_or_none(user):
    """The user to record as the author of a change (None: the system, or an anonymous caller)."""
    return user if user is not None and user.is_authenticated else None


def audit_record(*, actor, action: str, target, changes: dict | None = None) -> AuditEvent:
    """One row of the public audit trail for a write of a service (inside its transaction)."""
    return AuditEvent.objects.create(
        actor=actor_or_none(actor),
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        object_repr=str(target)[:200],
        changes=changes or {},
    )


def field_changes(instance, values: dict) -> dict:
    """{field: {before, after}} for the values that differ from the instance's (JSON-safe)."""
    return {
        name: {"before": _plain(getattr(instance, name, None)), "after": _plain(value)}
        for name, value in values.items()
        if getattr(instance, name, None) != value
    }


def _plain(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return str(value)
